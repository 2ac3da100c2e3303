// Label each table cell with its column's heading (data-label), so that a table stacked into one card per row
// on a phone (app.css, below 768 px) still says what each value is. Headings spanning columns label them all.
(function () {
  'use strict';
  function label(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      for (var i = 0; i < cell.colSpan; i++) labels.push(cell.textContent.trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var text = cell.colSpan === 1 ? labels[column] : '';
          if (text && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', text);
          column += cell.colSpan;
        });
      });
    });
  }
  function labelAll() {
    Array.prototype.forEach.call(document.querySelectorAll('main table'), label);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', labelAll);
  else labelAll();
  window.stackedTables = {label: label};
}());
