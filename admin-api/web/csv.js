// RFC 4180 CSV: fields in double quotes may hold commas, newlines and ""
// (a quote). Returns an array of rows, each an array of strings; blank
// lines are dropped.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let fieldText = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        fieldText += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        fieldText += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(fieldText);
      fieldText = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(fieldText);
      fieldText = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
    } else {
      fieldText += ch;
    }
  }
  row.push(fieldText);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}
