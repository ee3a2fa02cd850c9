// Agents pages: create an agent, rotate its secret, disable it, grant access and revoke a grant — each sent with the
// session's CSRF token, each change that ends the page's view (a grant given or revoked) followed by a fresh GET of
// the agent page, each refusal shown as the broker's text. A new secret is shown once, in a read-only field with a Copy button; it is never put in storage or a URL. Everything
// is set as text (textContent, value), never parsed as markup.
'use strict';

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  const secretBox = document.getElementById('secret-box');

  function post(url, body) {
    const init = {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf }
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { ok: r.ok, status: r.status, body: b }; });
    });
  }

  function refused(answer) {
    return 'Refused (' + answer.status + '): ' + (answer.body.detail || '');
  }

  function showSecret(answer) {
    if (!secretBox) {
      return;
    }
    document.getElementById('secret-agent').textContent = answer.body.name;
    document.getElementById('secret').value = answer.body.client_secret;
    document.getElementById('token-endpoint').textContent = answer.body.token_endpoint;
    document.getElementById('copy-outcome').textContent = '';
    secretBox.hidden = false;
    document.getElementById('secret').focus();
    document.getElementById('secret').select();
  }

  if (secretBox) {
    document.getElementById('copy-secret').addEventListener('click', function () {
      const field = document.getElementById('secret');
      const outcome = document.getElementById('copy-outcome');
      const done = function () { outcome.textContent = 'Copied.'; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select();
          outcome.textContent = 'Copy it with Ctrl+C: it is selected.';
        });
      } else {
        field.select();
        outcome.textContent = 'Copy it with Ctrl+C: it is selected.';
      }
    });
    document.getElementById('hide-secret').addEventListener('click', function () {
      document.getElementById('secret').value = '';
      secretBox.hidden = true;
    });
  }

  const form = document.getElementById('create-agent');
  if (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      const outcome = document.getElementById('create-outcome');
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      outcome.textContent = 'Creating…';
      post('/api/agents', {
        name: form.elements.name.value.trim(),
        team: form.elements.team.value.trim(),
        owner: form.elements.owner.value.trim(),
        description: form.elements.description.value.trim()
      }).then(function (answer) {
        if (answer.ok) {
          outcome.textContent = 'Created ' + answer.body.name + '. Reload the page to see it in the list.';
          form.reset();
          showSecret(answer);
        } else {
          outcome.textContent = refused(answer);
        }
      }).catch(function () {
        outcome.textContent = 'The console did not answer.';
      }).then(function () {
        button.disabled = false;
      });
    });
  }

  const actions = document.getElementById('agent-actions');
  if (actions) {
    const name = actions.dataset.agent;
    const outcome = document.getElementById('action-outcome');
    const rotate = document.getElementById('rotate');
    const disable = document.getElementById('disable');
    if (rotate) {
      rotate.addEventListener('click', function () {
        if (!window.confirm('Rotate the secret of ' + name + '? The old secret stops working at once.')) {
          return;
        }
        rotate.disabled = true;
        post('/api/agents/' + encodeURIComponent(name) + '/secret').then(function (answer) {
          outcome.textContent = answer.ok ? 'New secret issued; the old one no longer works.' : refused(answer);
          if (answer.ok) {
            showSecret(answer);
          }
        }).catch(function () {
          outcome.textContent = 'The console did not answer.';
        }).then(function () {
          rotate.disabled = false;
        });
      });
    }
    if (disable) {
      disable.addEventListener('click', function () {
        if (!window.confirm('Disable ' + name + '? It gets no new tokens and its open sessions are cut.')) {
          return;
        }
        disable.disabled = true;
        post('/api/agents/' + encodeURIComponent(name) + '/disable').then(function (answer) {
          if (answer.ok) {
            document.getElementById('agent-state').textContent = answer.body.enabled ? 'enabled' : 'disabled';
            outcome.textContent = 'Disabled: its open sessions are being cut.';
            disable.remove();
          } else {
            outcome.textContent = refused(answer);
            disable.disabled = false;
          }
        }).catch(function () {
          outcome.textContent = 'The console did not answer.';
          disable.disabled = false;
        });
      });
    }
  }

  // The agent page's grants: the page is read again after a change, so that it shows the broker's state
  function reloadAgent(name) {
    window.location.assign('/agents/' + encodeURIComponent(name));
  }

  const grantForm = document.getElementById('grant-form');
  if (grantForm) {
    const agent = grantForm.dataset.agent;
    const connection = grantForm.elements.connection;
    const access = grantForm.elements.access;
    const outcome = document.getElementById('grant-outcome');
    const button = document.getElementById('grant-submit');
    // only the levels the chosen connection offers (the broker refuses the others with 422 all the same)
    const offerLevels = function () {
      const chosen = connection.options[connection.selectedIndex];
      const levels = chosen ? chosen.dataset.levels.split(' ') : [];
      let first = null;
      Array.prototype.forEach.call(access.options, function (o) {
        o.disabled = levels.indexOf(o.value) < 0;
        if (!o.disabled && first === null) {
          first = o;
        }
      });
      const current = access.options[access.selectedIndex];
      if ((!current || current.disabled) && first !== null) {
        access.value = first.value;
      }
    };
    connection.addEventListener('change', offerLevels);
    offerLevels();
    grantForm.addEventListener('submit', function (e) {
      e.preventDefault();
      button.disabled = true;
      outcome.textContent = 'Granting…';
      post('/api/agents/' + encodeURIComponent(agent) + '/grants', {
        connection: connection.value,
        access: access.value,
        duration: grantForm.elements.duration.value.trim(),
        expiresAt: grantForm.elements.expiresAt.value.trim()
      }).then(function (answer) {
        if (answer.ok) {
          outcome.textContent = 'Granted ' + answer.body.access + ' on ' + answer.body.connection + '.';
          reloadAgent(agent);
        } else {
          outcome.textContent = refused(answer);
          button.disabled = false;
        }
      }).catch(function () {
        outcome.textContent = 'The console did not answer.';
        button.disabled = false;
      });
    });
  }

  const grants = document.getElementById('grants');
  const grantsOutcome = document.getElementById('grants-outcome');
  if (grants && grantsOutcome) {
    const agentName = document.getElementById('agent-name').textContent;
    grants.addEventListener('click', function (e) {
      const revoke = e.target.closest('button.revoke');
      if (!revoke) {
        return;
      }
      const what = revoke.dataset.access + ' on ' + revoke.dataset.connection;
      const question = 'Revoke ' + agentName + '\'s ' + what + '? It ends at once: no new tokens for it, and the'
        + ' agent\'s open sessions on ' + revoke.dataset.connection + ' are cut.';
      if (!window.confirm(question)) {
        return;
      }
      revoke.disabled = true;
      post('/api/grants/' + encodeURIComponent(revoke.dataset.grantId) + '/revoke').then(function (answer) {
        if (answer.ok) {
          grantsOutcome.textContent = 'Revoked ' + what + '.';
          reloadAgent(agentName);
        } else {
          grantsOutcome.textContent = refused(answer);
          revoke.disabled = false;
        }
      }).catch(function () {
        grantsOutcome.textContent = 'The console did not answer.';
        revoke.disabled = false;
      });
    });
  }
}());
