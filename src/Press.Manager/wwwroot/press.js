// Press's pages: progressive enhancement only. Every page works without this file; with it, times show in the
// browser's time zone and a job's steps update in place from the server-sent event stream (polling when no stream).
(function () {
  'use strict';
  var TERMINAL = ['Succeeded', 'Failed', 'Cancelled'];
  var BADGE = { Succeeded: 's-good', Active: 's-good', Good: 's-good', Healthy: 's-good', Failed: 's-bad', Broken: 's-bad',
    Unhealthy: 's-bad', Running: 's-busy', Queued: 's-busy', Waiting: 's-busy', Installing: 's-busy', Pending: 's-idle', Skipped: 's-idle' };

  function localTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d)) t.textContent = d.toLocaleString();
    });
  }

  function text(el, value) { if (el) el.textContent = value == null ? '' : value; }

  function badge(el, state) {
    if (!el) return;
    el.textContent = state;
    el.className = 'badge ' + (BADGE[state] || 's-idle');
  }

  function duration(ms) {
    if (ms == null) return '';
    return ms < 1000 ? Math.round(ms) + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : Math.floor(ms / 60000) + ' min ' + Math.round(ms % 60000 / 1000) + ' s';
  }

  function applyStep(table, step) {
    var row = table.querySelector('tr[data-ordinal="' + step.ordinal + '"]');
    if (!row) return;
    badge(row.querySelector('.state .badge'), step.state);
    text(row.querySelector('.attempts'), step.attempts);
    text(row.querySelector('.duration'), duration(step.durationMs));
    text(row.querySelector('.step-output pre'), step.output);
    text(row.querySelector('.step-error pre'), step.error);
  }

  // One job, followed live: the stream sends every step on each (re)connection, so a reconnect catches up from the
  // job's current state; a stalled or refused stream falls back to reading the job's JSON.
  function follow(id, onStep, onJob) {
    var es = null, timer = null, poll = null, errors = 0, lastMessage = Date.now(), done = false;
    var status = document.getElementById('live-status');

    function say(s) { text(status, s); }
    function finish(job) { done = true; stop(); onJob(job, true); }
    function job(j) { lastMessage = Date.now(); if (TERMINAL.indexOf(j.state) >= 0) finish(j); else onJob(j, false); }
    function stop() { if (es) { es.close(); es = null; } if (poll) { clearInterval(poll); poll = null; } }

    function fetchOnce() {
      return fetch('/ui/jobs/' + id, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (j) { (j.steps || []).forEach(onStep); job(j); });
    }

    function startPolling() {
      stop();
      if (done) return;
      say('No live stream: checking every 2 s.');
      poll = setInterval(function () { fetchOnce().catch(function () { say('Press does not answer: retrying.'); }); }, 2000);
    }

    function connect() {
      stop();
      if (done) return;
      if (!window.EventSource) { startPolling(); return; }
      es = new EventSource('/ui/jobs/' + id + '/events');
      es.addEventListener('open', function () { errors = 0; say('Live.'); });
      es.addEventListener('step', function (e) { lastMessage = Date.now(); errors = 0; onStep(JSON.parse(e.data)); });
      es.addEventListener('job', function (e) { errors = 0; job(JSON.parse(e.data)); });
      es.addEventListener('error', function () {
        if (done) return;
        errors++;
        if (es && es.readyState === EventSource.CLOSED || errors >= 5) startPolling();
        else say('Stream dropped: reconnecting…');
      });
    }

    // A tab left in the background (timers throttled, connections dropped): reconnect and catch up when it is seen again.
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible' && !done) connect();
    });
    // A stream a proxy holds open but no longer delivers: after 30 s without a message, read the job and reconnect.
    timer = setInterval(function () {
      if (done) { clearInterval(timer); return; }
      if (!poll && Date.now() - lastMessage > 30000) { fetchOnce().catch(function () {}); connect(); }
    }, 10000);
    connect();
  }

  function liveJob(table) {
    var id = table.getAttribute('data-job');
    if (TERMINAL.indexOf(table.getAttribute('data-state')) >= 0) return;
    follow(id, function (step) { applyStep(table, step); }, function (job, terminal) {
      badge(document.querySelector('#job-state .badge'), job.state);
      // The finished page is the server's (error in full, Retry button): load it once.
      if (terminal) location.reload();
    });
  }

  function watchJob(el) {
    follow(el.getAttribute('data-watch-job'), function () {}, function (job, terminal) {
      text(el.querySelector('.watch-state'), job.state);
      if (terminal) location.reload();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    localTimes(document);
    document.querySelectorAll('table[data-job]').forEach(liveJob);
    document.querySelectorAll('[data-watch-job]').forEach(watchJob);
  });
})();
