// Reviews page: pending reviews pushed by the console's event stream, kept in the page without reloading.
// Everything a review holds was written by an agent or a policy: it is only ever set as text (textContent),
// never parsed as markup.
'use strict';

(function () {
  const list = document.getElementById('reviews');
  const streamState = document.getElementById('stream-state');
  const empty = document.getElementById('empty');
  const notice = document.getElementById('notice');
  const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  const canDecide = document.body.dataset.canDecide === 'true';
  const items = new Map(); // review id -> { li, review }
  const shownHistory = new WeakMap(); // li -> the history it shows, as JSON

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function field(dl, name, key) {
    dl.appendChild(el('dt', null, name));
    const dd = el('dd');
    dd.dataset.field = key;
    dl.appendChild(dd);
    return dd;
  }

  function timeLeft(expiresAt) {
    const ms = Date.parse(expiresAt) - Date.now();
    if (Number.isNaN(ms)) {
      return 'unknown';
    }
    if (ms <= 0) {
      return 'expired';
    }
    const s = Math.floor(ms / 1000);
    return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  function approvalsText(review) {
    const done = review.approvals.map(function (a) {
      return a.approver + ' (' + a.decision + (a.comment ? ': ' + a.comment : '') + ')';
    });
    return review.approvals.length + ' of ' + review.required_approvals + ' approvals' +
      (done.length ? ': ' + done.join(', ') : '');
  }

  function create(review) {
    const li = el('li', 'review');
    li.dataset.reviewId = review.id;
    // the webhook's link names its review (/reviews#review-<id>): that one is marked and scrolled to on arrival
    li.id = 'review-' + review.id;
    if (window.location.hash === '#' + li.id) {
      li.classList.add('linked');
      window.setTimeout(function () { li.scrollIntoView({ block: 'center' }); }, 0);
    }
    // when this review reached the page (epoch ms): the browser test measures hold-to-screen from it
    li.dataset.shownAt = String(Math.round(performance.timeOrigin + performance.now()));
    const h = el('h2');
    h.appendChild(document.createTextNode('Review '));
    h.appendChild(el('span', 'review-id', review.id));
    li.appendChild(h);
    const dl = el('dl');
    field(dl, 'Agent', 'agent');
    field(dl, 'Connection', 'connection');
    field(dl, 'Tags', 'tags');
    field(dl, 'Protocol', 'protocol');
    field(dl, 'Reasons', 'reasons');
    field(dl, 'Rules', 'rules');
    field(dl, 'Session', 'session');
    field(dl, 'Approvals', 'approvals');
    field(dl, 'Time left', 'time-left');
    li.appendChild(dl);
    li.appendChild(el('p', null, 'Statement:'));
    const statement = el('pre', 'statement');
    statement.dataset.field = 'statement';
    li.appendChild(statement);
    // the session so far: the requests before the held one, as the proxy recorded them (masked), oldest first
    li.appendChild(el('p', null, 'Session so far:'));
    const history = el('ol', 'history');
    history.dataset.field = 'history';
    li.appendChild(history);
    const historyNote = el('p', 'history-note');
    historyNote.dataset.field = 'history-note';
    li.appendChild(historyNote);
    if (canDecide) {
      li.appendChild(decideControls(review.id));
    }
    li.appendChild(el('p', 'outcome')).setAttribute('role', 'status');
    return li;
  }

  function decideControls(id) {
    const box = el('div', 'decide');
    const label = el('label', null, 'Comment');
    const comment = el('textarea');
    comment.name = 'comment';
    comment.maxLength = 2000;
    label.appendChild(comment);
    box.appendChild(label);
    const approve = el('button', 'approve', 'Approve');
    approve.type = 'button';
    const deny = el('button', 'deny', 'Deny');
    deny.type = 'button';
    approve.addEventListener('click', function () { decide(id, 'approve', comment.value, box); });
    deny.addEventListener('click', function () { decide(id, 'deny', comment.value, box); });
    box.appendChild(approve);
    box.appendChild(deny);
    return box;
  }

  // one entry per earlier request: its seq, its decision and its text, each only ever set as text
  function showHistory(li, history) {
    const list = li.querySelector('[data-field="history"]');
    list.replaceChildren();
    (history || []).forEach(function (h) {
      const item = el('li');
      item.dataset.seq = String(h.seq);
      item.appendChild(el('span', 'history-seq', '#' + h.seq));
      item.appendChild(el('span', 'history-action', h.action || 'no decision'));
      item.appendChild(el('pre', 'history-request', h.request));
      list.appendChild(item);
    });
    list.hidden = !history || history.length === 0;
    li.querySelector('[data-field="history-note"]').textContent = !history
      ? 'Not sent with this review.'
      : history.length === 0 ? 'Nothing before this request.' : '';
  }

  function update(li, review) {
    const set = function (key, text) {
      const e = li.querySelector('[data-field="' + key + '"]');
      if (e.textContent !== text) {
        e.textContent = text;
      }
    };
    set('agent', review.agent);
    set('connection', review.connection);
    set('tags', Object.keys(review.tags).map(function (k) { return k + '=' + review.tags[k]; }).join(', ') || 'none');
    set('protocol', review.protocol);
    set('reasons', review.reasons.join('; '));
    set('rules', review.rules.join(', ') || 'none');
    set('session', review.session_id);
    set('approvals', approvalsText(review));
    set('time-left', timeLeft(review.expires_at));
    set('statement', review.statement);
    // rebuilt only when it changed (a pushed snapshot repeats it every time)
    const history = JSON.stringify(review.history);
    if (shownHistory.get(li) !== history) {
      shownHistory.set(li, history);
      showHistory(li, review.history);
    }
  }

  function show(reviews) {
    const seen = new Set();
    reviews.forEach(function (review) {
      seen.add(review.id);
      let entry = items.get(review.id);
      if (!entry) {
        entry = { li: create(review), review: review };
        items.set(review.id, entry);
        list.appendChild(entry.li);
      }
      entry.review = review;
      update(entry.li, review);
    });
    items.forEach(function (entry, id) {
      if (!seen.has(id)) {
        entry.li.remove();
        items.delete(id);
      }
    });
    empty.hidden = items.size > 0;
  }

  function decide(id, decision, comment, box) {
    const outcome = box.parentNode.querySelector('.outcome');
    box.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    fetch('/api/reviews/' + encodeURIComponent(id) + '/' + decision, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ comment: comment })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.ok) {
          outcome.textContent = decision === 'approve' ? 'Approved: review ' + body.status : 'Denied: review ' + body.status;
        } else {
          outcome.textContent = 'Refused (' + r.status + '): ' + (body.detail || '');
          box.querySelectorAll('button').forEach(function (b) { b.disabled = false; });
        }
      });
    }).catch(function () {
      outcome.textContent = 'The console did not answer.';
      box.querySelectorAll('button').forEach(function (b) { b.disabled = false; });
    });
  }

  const source = new EventSource('/api/reviews/stream');
  source.addEventListener('reviews', function (e) {
    const snapshot = JSON.parse(e.data);
    if (snapshot.status === 200) {
      streamState.textContent = 'Live';
      notice.hidden = true;
      show(snapshot.reviews);
    } else if (snapshot.status === 403) {
      source.close();
      streamState.textContent = 'Stopped';
      notice.textContent = 'You may not see reviews (identity-broker answered 403).';
      notice.hidden = false;
    } else {
      streamState.textContent = 'Reconnecting… (identity-broker answered ' + snapshot.status + ')';
    }
  });
  source.addEventListener('error', function () {
    streamState.textContent = 'Reconnecting…';
  });
  setInterval(function () {
    items.forEach(function (entry) {
      const e = entry.li.querySelector('[data-field="time-left"]');
      e.textContent = timeLeft(entry.review.expires_at);
    });
  }, 1000);
}());
