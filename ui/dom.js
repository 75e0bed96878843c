// A tiny element builder: el('p', {class: 'hint', id: 'x'}, ['text', child]).
// Attributes set to null, undefined or false are left out; `true` sets a boolean attribute.

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'checked' || name === 'selected') node[name] = true;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of [children].flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
