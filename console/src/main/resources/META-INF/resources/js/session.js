// Session page: the recording's verification (checked on load and again on demand) and the terminal replay.
// What the recorder returns was, in part, written by an agent (its output): it is only ever set as text
// (textContent, text nodes), never parsed as markup.
'use strict';

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  const section = document.getElementById('verification');
  if (!section) {
    return; // the recorder refused the session: nothing to check or play
  }
  const id = section.dataset.sessionId;
  const base = '/api/sessions/' + encodeURIComponent(id);

  // ---- verification --------------------------------------------------------------------------------------------
  const state = document.getElementById('verify-state');
  const facts = document.getElementById('verify-facts');
  const problems = document.getElementById('verify-problems');
  const button = document.getElementById('verify');

  function setFact(key, text) {
    facts.querySelector('[data-field="' + key + '"]').textContent = text;
  }

  function showVerification(v) {
    problems.replaceChildren();
    if (v.status !== 200) {
      facts.hidden = true;
      state.textContent = 'Not verified: recorder-service answered ' + v.status + (v.detail ? ' (' + v.detail + ')' : '') + '.';
      section.dataset.verified = 'unknown';
      return;
    }
    facts.hidden = false;
    section.dataset.verified = v.valid ? 'valid' : 'invalid';
    state.textContent = (v.valid ? 'Verified' : 'NOT VALID') + ' at ' + new Date().toISOString();
    setFact('valid', v.valid ? 'valid' : 'not valid');
    setFact('sha256', v.sha256);
    setFact('chain_head', v.chain_head);
    setFact('key_id', v.key_id);
    setFact('ledger_index', v.ledger_index >= 0 ? '#' + v.ledger_index : 'none');
    setFact('events', String(v.events) + ' (' + v.recording_status + ')');
    setFact('source_auth', v.source_auth);
    v.problems.forEach(function (p) {
      const li = document.createElement('li');
      li.textContent = p;
      problems.appendChild(li);
    });
  }

  function verify() {
    button.disabled = true;
    state.textContent = 'Checking…';
    fetch(base + '/verify', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf }
    }).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (t) { showVerification({ status: r.status, detail: t.trim() }); });
      }
      return r.json().then(showVerification);
    }).catch(function () {
      state.textContent = 'The console did not answer.';
    }).then(function () {
      button.disabled = false;
    });
  }

  if (!button.disabled) {
    button.addEventListener('click', verify);
    verify();
  }

  // ---- replay --------------------------------------------------------------------------------------------------
  const screen = document.getElementById('screen');
  if (!screen) {
    return;
  }
  const play = document.getElementById('play');
  const restart = document.getElementById('restart');
  const speed = document.getElementById('speed');
  const position = document.getElementById('position');
  const MAX_PAUSE = 2; // seconds: longer idle times are shortened, as asciinema's idle limit does
  let frames = [];
  let times = []; // each frame's time on the replay's clock (idle capped)
  let next = 0; // the next frame to show
  let clock = 0; // replay seconds shown so far
  let timer = null;
  let playing = false;

  function total() {
    return times.length ? times[times.length - 1] : 0;
  }

  function showPosition() {
    position.textContent = clock.toFixed(1) + ' s of ' + total().toFixed(1) + ' s' +
      (next >= frames.length && frames.length ? ' (end)' : '');
  }

  function step() {
    timer = null;
    if (!playing) {
      return;
    }
    if (next >= frames.length) {
      playing = false;
      play.textContent = 'Play';
      showPosition();
      return;
    }
    clock = times[next];
    screen.appendChild(document.createTextNode(frames[next][1]));
    screen.scrollTop = screen.scrollHeight;
    next++;
    showPosition();
    const wait = next < frames.length ? (times[next] - clock) * 1000 / Number(speed.value) : 0;
    timer = setTimeout(step, Math.max(0, wait));
  }

  function toggle() {
    if (playing) {
      playing = false;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      play.textContent = 'Play';
      return;
    }
    if (next >= frames.length) {
      reset();
    }
    playing = true;
    play.textContent = 'Pause';
    step();
  }

  function reset() {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    screen.replaceChildren();
    next = 0;
    clock = 0;
    showPosition();
  }

  play.addEventListener('click', toggle);
  restart.addEventListener('click', function () {
    const was = playing;
    playing = false;
    reset();
    play.textContent = 'Play';
    if (was) {
      toggle();
    }
  });

  fetch(base + '/replay', { credentials: 'same-origin' }).then(function (r) {
    return r.json();
  }).then(function (replay) {
    if (replay.status !== 200) {
      position.textContent = replay.status === 409
        ? 'Still being recorded: the replay is ready once the session is sealed.'
        : 'No replay: recorder-service answered ' + replay.status + '.';
      return;
    }
    frames = replay.frames.map(function (f) { return [f.t, f.text]; });
    let t = 0;
    let last = 0;
    times = frames.map(function (f) {
      t += Math.min(Math.max(0, f[0] - last), MAX_PAUSE);
      last = f[0];
      return t;
    });
    screen.dataset.frames = String(frames.length);
    play.disabled = frames.length === 0;
    restart.disabled = frames.length === 0;
    showPosition();
    if (replay.truncated) {
      position.textContent += ' (shortened: download the recording for all of it)';
    }
  }).catch(function () {
    position.textContent = 'The console did not answer.';
  });
}());
