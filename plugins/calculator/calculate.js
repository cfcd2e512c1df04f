// calculate: an agent2389 script tool. It runs inside an isolated-vm isolate: no require, no
// process, no file system, no network; params arrive as a copy and the result leaves as a copy.
// The only host function is the one the manifest declares: host.log(level, message).

const FUNCTIONS = {
  sqrt: Math.sqrt,
  abs: Math.abs,
  round: Math.round,
  floor: Math.floor,
  ceil: Math.ceil,
  min: Math.min,
  max: Math.max,
};
const CONSTANTS = { pi: Math.PI, e: Math.E };

function tokenize(text) {
  const tokens = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([a-z]+)|(\S))/giy;
  let m;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    if (m[1] !== undefined) tokens.push({ type: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ type: 'name', value: m[2].toLowerCase() });
    else tokens.push({ type: 'op', value: m[3] });
  }
  return tokens;
}

// Recursive descent: expr := term (('+'|'-') term)*; term := unary (('*'|'/'|'%') unary)*;
// unary := '-' unary | power; power := primary ('^' unary)?; primary := num | name | name(args) | (expr)
function parse(tokens) {
  let i = 0;
  const peek = () => tokens[i];
  const take = (value) => {
    const t = tokens[i];
    if (!t || (value !== undefined && t.value !== value))
      throw new Error(`expected ${value ?? 'a value'} at token ${i + 1}`);
    i++;
    return t;
  };
  const primary = () => {
    const t = take();
    if (t.type === 'num') return t.value;
    if (t.type === 'op' && t.value === '(') {
      const v = expr();
      take(')');
      return v;
    }
    if (t.type === 'name') {
      if (peek()?.value === '(') {
        const fn = FUNCTIONS[t.value];
        if (!fn) throw new Error(`unknown function ${t.value}`);
        take('(');
        const args = [expr()];
        while (peek()?.value === ',') {
          take(',');
          args.push(expr());
        }
        take(')');
        return fn(...args);
      }
      if (t.value in CONSTANTS) return CONSTANTS[t.value];
      throw new Error(`unknown name ${t.value}`);
    }
    throw new Error(`unexpected ${t.value}`);
  };
  const power = () => {
    const base = primary();
    return peek()?.value === '^' ? (take('^'), base ** unary()) : base;
  };
  const unary = () => (peek()?.value === '-' ? (take('-'), -unary()) : power());
  const term = () => {
    let v = unary();
    while (['*', '/', '%'].includes(peek()?.value)) {
      const op = take().value;
      const r = unary();
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  const expr = () => {
    let v = term();
    while (['+', '-'].includes(peek()?.value)) v = take().value === '+' ? v + term() : v - term();
    return v;
  };
  const value = expr();
  if (i < tokens.length) throw new Error(`unexpected ${tokens[i].value} at token ${i + 1}`);
  return value;
}

export default function calculate(params, host) {
  const value = parse(tokenize(params.expression));
  if (!Number.isFinite(value)) throw new Error(`the result is not a finite number (${value})`);
  host.log('debug', `calculated ${params.expression}`);
  return { expression: params.expression, value };
}
