// Policy page: an admin's edit, sent with the session's CSRF token; policy-service compiles it and a refusal lists
// each compile error at line:col, with a button that puts the cursor on that line. Everything is set as text.
'use strict';

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  const editor = document.getElementById('editor');
  const save = document.getElementById('save');
  if (!editor || !save) {
    return;
  }
  const id = editor.dataset.policyId;
  const text = document.getElementById('document');
  const outcome = document.getElementById('save-outcome');
  const errors = document.getElementById('compile-errors');

  function goTo(line, col) {
    const lines = text.value.split('\n');
    let at = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) {
      at += lines[i].length + 1;
    }
    at += Math.max(0, (col || 1) - 1);
    text.focus();
    text.setSelectionRange(at, at);
  }

  function showErrors(list) {
    errors.replaceChildren();
    list.forEach(function (e) {
      const li = document.createElement('li');
      if (e.at) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'goto';
        b.textContent = 'line ' + e.at;
        const parts = e.at.split(':');
        b.addEventListener('click', function () { goTo(Number(parts[0]), Number(parts[1] || 1)); });
        li.appendChild(b);
        li.appendChild(document.createTextNode(' '));
      }
      li.appendChild(document.createTextNode((e.rule ? e.rule + ': ' : '') + e.message));
      errors.appendChild(li);
    });
  }

  save.addEventListener('click', function () {
    save.disabled = true;
    outcome.textContent = 'Compiling…';
    errors.replaceChildren();
    fetch('/api/policies/' + encodeURIComponent(id), {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ raw: text.value })
    }).then(function (r) {
      return r.json().catch(function () { return { errors: [] }; }).then(function (body) {
        if (r.ok) {
          outcome.textContent = 'Saved: reload the page for the new version and its history.';
        } else {
          outcome.textContent = 'Not saved (' + r.status + ')' + (body.detail ? ': ' + body.detail : '');
          showErrors(body.errors || []);
        }
      });
    }).catch(function () {
      outcome.textContent = 'The console did not answer.';
    }).then(function () {
      save.disabled = false;
    });
  });
}());
