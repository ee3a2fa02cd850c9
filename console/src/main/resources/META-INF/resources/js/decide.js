// Access requests page: an approver's Approve / Deny, sent with the session's CSRF token. What the broker answers
// is shown as text (textContent) only.
'use strict';

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');

  function decide(li, decision) {
    const box = li.querySelector('.decide');
    const outcome = li.querySelector('.outcome');
    const comment = box.querySelector('textarea').value;
    const buttons = box.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    outcome.textContent = 'Sending…';
    fetch(li.dataset.decideBase + '/' + decision, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ comment: comment })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.ok) {
          outcome.textContent = (decision === 'approve' ? 'Approved' : 'Denied') + ': request ' + body.status;
          li.dataset.status = body.status;
        } else {
          outcome.textContent = 'Refused (' + r.status + '): ' + (body.detail || '');
          buttons.forEach(function (b) { b.disabled = false; });
        }
      });
    }).catch(function () {
      outcome.textContent = 'The console did not answer.';
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }

  document.querySelectorAll('li[data-decide-base]').forEach(function (li) {
    const approve = li.querySelector('button.approve');
    const deny = li.querySelector('button.deny');
    if (approve) {
      approve.addEventListener('click', function () { decide(li, 'approve'); });
    }
    if (deny) {
      deny.addEventListener('click', function () { decide(li, 'deny'); });
    }
  });
}());
