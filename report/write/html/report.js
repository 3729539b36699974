(function () {
  var units = { B: 1, KiB: 1024, MiB: 1048576, GiB: 1073741824, TiB: 1099511627776, PiB: 1125899906842624, EiB: 1152921504606846976 };
  function key(td) {
    var t = td.textContent.trim();
    var size = /^(\d+(?:\.\d+)?) ([KMGTPE]iB|B)$/.exec(t);
    if (size) { return parseFloat(size[1]) * units[size[2]]; }
    var n = parseFloat(t.replace(/[,%\s]/g, ''));
    return isNaN(n) || !/^[-+]?[\d,.]+\s*%?$/.test(t) ? t.toLowerCase() : n;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.querySelectorAll('th');
    heads.forEach(function (th, col) {
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          if (typeof x !== typeof y) { x = String(x); y = String(y); }
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    table.setAttribute('data-sortable', 'ready');
  });
})();
