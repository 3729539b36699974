(function () {
  'use strict';
  // Every string from the log goes in through textContent, after safe():
  // control and format characters (bidi overrides) show as escapes, as
  // the reports print them (report.Term).
  function safe(s) {
    return String(s == null ? '' : s).replace(/[\u0000-\u001f\u007f-\u009f]|[\p{Cf}\u2028\u2029]/gu, function (c) {
      var n = c.codePointAt(0);
      return n < 0xa0 ? '\\x' + n.toString(16).toUpperCase().padStart(2, '0') : '\\u{' + n.toString(16).toUpperCase().padStart(4, '0') + '}';
    });
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text != null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function num(n) { return n == null ? '–' : Number(n).toLocaleString('en-US'); }
  function dec(n, digits) {
    return n == null || !isFinite(n) ? '–' : Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function ms(n) { return n == null ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 2 : n < 100 ? 1 : 0 }); }
  function pct(n, of) { return of > 0 ? ' (' + dec(100 * n / of, 1) + ' %)' : ''; }
  function bytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    n = Number(n) || 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(1)) + ' ' + units[i];
  }
  var nowDate = '';
  // when shows an RFC 3339 time as its clock when it is of the view's day.
  function when(t) {
    t = safe(t);
    if (t.length >= 20 && t.slice(0, 10) === nowDate) { return t.slice(11, 19); }
    return t.replace('T', ' ').replace('Z', '');
  }

  // fill replaces a table's rows: cols are [text of a row, class] pairs.
  function fill(id, rows, cols, empty) {
    var body = $(id).tBodies[0];
    var out = document.createDocumentFragment();
    (rows || []).forEach(function (row) {
      var tr = document.createElement('tr');
      cols.forEach(function (c) {
        var td = el('td', c[0](row), typeof c[1] === 'function' ? c[1](row) : c[1]);
        if (c[2]) { td.title = c[2](row); }
        tr.appendChild(td);
      });
      out.appendChild(tr);
    });
    if (!rows || rows.length === 0) {
      var td = el('td', empty, 'empty');
      td.colSpan = cols.length;
      out.appendChild(el('tr')).appendChild(td);
    }
    body.replaceChildren(out);
  }

  function card(label, value, bad) {
    var c = el('div', null, 'card' + (bad ? ' bad' : ''));
    c.appendChild(el('span', label, 'muted'));
    c.appendChild(el('b', value));
    return c;
  }

  var svgNS = 'http://www.w3.org/2000/svg';
  // spark draws a class's requests per minute as bars, in one path.
  function spark(label, cls, values, start) {
    values = values || [];
    var box = el('div', null, 'spark');
    box.dataset.cls = cls;
    var top = 0;
    values.forEach(function (v) { top = Math.max(top, v); });
    var head = el('div', null, 'lbl2');
    head.appendChild(el('span', label));
    head.appendChild(el('span', 'now ' + num(values.length ? values[values.length - 1] : 0) + '/min · max ' + num(top), 'muted'));
    box.appendChild(head);
    var w = Math.max(values.length, 1) * 4, h = 40;
    var svg = document.createElementNS(svgNS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label + ' per minute since ' + safe(start));
    var d = '';
    values.forEach(function (v, i) {
      if (v > 0) {
        var bh = Math.max(v / top * h, 1);
        d += 'M' + (i * 4) + ' ' + (h - bh).toFixed(2) + 'h3v' + bh.toFixed(2) + 'h-3z';
      }
    });
    var line = document.createElementNS(svgNS, 'line');
    line.setAttribute('class', 'axis');
    line.setAttribute('x1', 0); line.setAttribute('x2', w); line.setAttribute('y1', h); line.setAttribute('y2', h);
    svg.appendChild(line);
    var path = document.createElementNS(svgNS, 'path');
    path.setAttribute('class', cls);
    path.setAttribute('d', d);
    svg.appendChild(path);
    box.appendChild(svg);
    return box;
  }

  function render(f) {
    var windows = f.windows || [], incidents = f.incidents || [], input = f.input || {};
    nowDate = safe(f.time).slice(0, 10);
    $('now').textContent = 'now ' + safe(f.time).replace('T', ' ').replace('Z', ' UTC') + ' · minutes held: ' + num(Math.round((f.horizon_seconds || 0) / 60));
    var filter = $('filter');
    filter.hidden = !f.filter;
    filter.textContent = f.filter ? 'Filter: ' + safe(f.filter) : '';

    var byName = {};
    windows.forEach(function (w) { byName[w.window] = w; });
    var one = byName['1m'] || windows[0] || {};
    var ongoing = incidents.filter(function (i) { return !i.over; }).length;
    var cls1 = one.classes || {};
    var lat1 = one.latency;
    $('cards').replaceChildren(
      card('requests/s (1m)', dec(one.rate_per_second, 1)),
      card('5xx (1m)', num(cls1.server_error || 0) + pct(cls1.server_error || 0, one.requests), cls1.server_error > 0),
      card('429 (1m)', num(one.rate_limited || 0), one.rate_limited > 0),
      card('p99 ms (1m)', lat1 ? ms(lat1.p99_ms) : '–'),
      card('incidents ongoing', num(ongoing), ongoing > 0),
      card('rejected lines', num(input.rejected || 0), input.rejected > 0));

    var sorted = incidents.slice().sort(function (a, b) { return (a.over - b.over) || (a.start < b.start ? 1 : a.start > b.start ? -1 : 0); });
    fill('incidents', sorted, [
      [function (i) { return i.over ? 'over' : 'ongoing'; }, function (i) { return i.over ? 'over' : 'ongoing'; }],
      [function (i) { return when(i.start); }, '', function (i) { return safe(i.start); }],
      [function (i) { return when(i.end); }, '', function (i) { return safe(i.end); }],
      [function (i) { return num(i.peak) + ' at ' + when(i.peak_at) + pct(i.peak_rate, 1); }, 'r'],
      [function (i) { return String(i.status).padStart(3, '0') + ' ' + safe(i.diagnosis) + (i.kind ? ' (' + safe(i.kind) + ')' : ''); }, 'w'],
      [function (i) { return (i.endpoints || []).map(safe).join(', '); }, 'w'],
      [function (i) { return (i.clients || []).map(safe).join(', '); }, 'w']
    ], 'none');
    $('incidents-none').hidden = incidents.length > 0;

    fill('windows', windows, [
      [function (w) { return safe(w.window); }, '', function (w) { return safe(w.start) + ' to ' + safe(w.end); }],
      [function (w) { return num(w.requests); }, 'r'],
      [function (w) { return dec(w.rate_per_second, 2); }, 'r'],
      [function (w) { var c = w.classes || {}; return num(c.server_error || 0) + pct(c.server_error || 0, w.requests); }, 'r'],
      [function (w) { return num(w.rate_limited || 0) + pct(w.rate_limited || 0, w.requests); }, 'r'],
      [function (w) { return w.latency ? ms(w.latency.p50_ms) : '–'; }, 'r'],
      [function (w) { return w.latency ? ms(w.latency.p95_ms) : '–'; }, 'r'],
      [function (w) { return w.latency ? ms(w.latency.p99_ms) : '–'; }, 'r']
    ], 'no window yet');

    var s = f.sparklines || {};
    $('sparks').replaceChildren(
      spark('success, redirect', 'ok', s.success, s.start),
      spark('4xx', 'c4', s.client_error, s.start),
      spark('429', 'c429', s.rate_limited, s.start),
      spark('5xx', 'c5', s.server_error, s.start));
    $('sparks-note').textContent = s.start ? 'One bar a minute from ' + when(s.start) + ' (UTC); the last minute is still being written.' : '';

    // The failing tables show the last 5 minutes (the 1m window is noisy).
    var now = byName['5m'] || one, name = safe(now.window || '');
    $('endpoints-h').textContent = 'Failing endpoints (last ' + name + ')';
    $('clients-h').textContent = 'Failing clients (last ' + name + ')';
    $('retry-h').textContent = 'Clients ignoring Retry-After (last ' + name + ')';
    fill('endpoints', now.endpoints, [
      [function (e) { return safe(e.endpoint); }, 'w'],
      [function (e) { return num(e.requests); }, 'r'],
      [function (e) { return num(e.client_error); }, 'r'],
      [function (e) { return num(e.rate_limited); }, 'r'],
      [function (e) { return num(e.server_error); }, 'r'],
      [function (e) { return ms(e.p95_ms); }, 'r']
    ], 'none failing');
    fill('clients', now.clients, [
      [function (c) { return safe(c.client); }, 'w'],
      [function (c) { return num(c.requests); }, 'r'],
      [function (c) { return num(c.client_error); }, 'r'],
      [function (c) { return num(c.rate_limited); }, 'r'],
      [function (c) { return num(c.server_error); }, 'r']
    ], 'none failing');
    fill('retry', now.ignoring_retry_after, [
      [function (c) { return safe(c.client); }, 'w'],
      [function (c) { return num(c.requests); }, 'r'],
      [function (c) { return num(c.rate_limited); }, 'r'],
      [function (c) { return num(c.retry_after_violations); }, 'r'],
      [function (c) { return c.retry_after_compliance == null ? '–' : dec(100 * c.retry_after_compliance, 1) + ' %'; }, 'r']
    ], 'none');

    var acc = 'lines ' + num(input.lines) + ' = records ' + num(input.records) + ' + rejected ' + num(input.rejected) +
      ' + unrecognized ' + num(input.unrecognized) + ' + blank ' + num(input.blank) +
      (input.before_horizon ? ' (' + num(input.before_horizon) + ' records older than the minutes held)' : '') +
      (input.reconciled ? '' : ' · DOES NOT RECONCILE');
    $('accounting').textContent = acc;
    $('accounting').className = input.reconciled ? 'muted' : 'bad';
    fill('files', f.files, [
      [function (x) { return safe(x.path); }, 'w'],
      [function (x) { return safe(x.state); }, ''],
      [function (x) { return num(x.lines); }, 'r'],
      [function (x) { return bytes(x.bytes); }, 'r'],
      [function (x) { return num(x.rotations); }, 'r'],
      [function (x) { return num(x.truncations); }, 'r']
    ], 'no file yet');
  }

  var conn = $('conn'), main = $('main'), paused = false;
  function state(cls, text) {
    conn.className = 'conn ' + cls;
    conn.textContent = text;
    main.className = cls === 'live' || cls === 'paused' ? '' : 'stale';
  }
  function connect() {
    var es = new EventSource('events');
    es.addEventListener('frame', function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      paused = !!f.paused;
      $('fault').hidden = true;
      render(f);
      state(paused ? 'paused' : 'live', paused ? 'paused' : 'live');
    });
    es.addEventListener('fault', function (e) {
      var why;
      try { why = JSON.parse(e.data); } catch (err) { why = e.data; }
      var fault = $('fault');
      fault.textContent = 'The latest frame could not be sent (' + safe(why) + '): the figures shown are older.';
      fault.hidden = false;
    });
    es.onerror = function () {
      if (es.readyState === EventSource.CLOSED) {
        // Refused (too many pages open, or not a stream): try again later.
        es.close();
        state('closed', 'connection refused, retrying in 10 s');
        setTimeout(connect, 10000);
        return;
      }
      state('lost', 'connection lost, retrying');
    };
  }
  connect();
})();
