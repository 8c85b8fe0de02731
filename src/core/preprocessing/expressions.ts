/**
 * Derived features: numeric expressions over a row's columns (`log(price)`, `sqft / rooms`,
 * `x1 * x2`, `age > 65`, `city == "Paris"`), parsed once with mathjs and compiled to a tree of
 * closures that is evaluated per row. Nothing is ever evaluated by mathjs itself: its parser
 * only builds the syntax tree, which is checked node by node against a closed grammar
 * (sandbox by construction, rather than by removing dangerous functions from a live
 * evaluator; no `eval`, no `new Function`):
 *
 *   numbers, true / false (1 / 0), pi, e; column names; + − * / ^ % mod (and unary − +);
 *   < <= > >= == != (1 or 0), and or not xor; c ? a : b; parentheses;
 *   a string only as the other side of == / != with a CATEGORY column;
 *   calls to the pure numeric functions in FUNCTIONS, with their arity.
 *
 * Everything else is refused with an InvalidInputError whose details carry `field` (the
 * caller's, e.g. `derivedFeatures[0].expression`) and, where a token is to blame, `position`:
 * the 0-based character index in the expression of that token (the offending name, operator,
 * `=`, `[`, `.` …; for a syntax error, where mathjs stopped). Refused: assignment, function
 * definition, object / array / index / property access, ranges, several statements (`a; b`, or on several lines),
 * units, matrices, transpose, factorial, bitwise operators, chained comparisons, string
 * arithmetic, every function not listed (import, createUnit, evaluate, parse, simplify,
 * derivative, …), the names constructor, __proto__, prototype and this, expressions longer
 * than MAX_EXPRESSION_LENGTH characters, nested deeper than MAX_EXPRESSION_DEPTH brackets, or
 * whose syntax tree is deeper than MAX_TREE_DEPTH.
 *
 * Values:
 * - NUMBER columns are numbers, BOOLEAN columns 1 / 0 (so `garage`, `garage == true` and
 *   `not garage` all work), CATEGORY columns can only be compared with a string
 *   (`city == "Paris"`, `"Paris" != city`, case-sensitive, exact).
 * - A missing input (NaN, null) makes the result missing (NaN), and so does any value that
 *   is not finite, wherever it arises (division by zero, log of a negative number,
 *   overflow): `1 / (x / 0)` and `min(x / 0, 5)` are missing, not 0 and 5. The pipeline then
 *   imputes or refuses the missing value like any other. The one exception is `c ? a : b`,
 *   which only evaluates the branch it takes: `age > 65 ? 1 : price` is 1 for a 70-year-old
 *   whatever the price.
 * - Comparisons and logic give 1 or 0; a number is true when it is not 0.
 * - `%` and `mod` follow mathjs (the result has the divisor's sign: -3 % 7 = 4); `round`
 *   is JavaScript's Math.round (halves go up: round(-2.5) = -2), `round(x, n)` needs an
 *   integer n in 0…15 (else missing); `log(x, b)` is log(x) / log(b).
 * - A column named `pi` or `e` hides the constant. Column names must be valid mathjs
 *   identifiers (letters, digits, _ and $, not starting with a digit, not a keyword such as
 *   `mod`, `and`, `to`) to be referenced.
 *
 * Expressions read dataset columns only, never other derived features (compileDerivedFeatures
 * refuses that; repeat the expression instead). Models store the source strings only and
 * compile them again when loaded (cheap, once per served model).
 */
import { parse, type MathNode } from "mathjs";
import { InvalidInputError } from "../errors.ts";
import type { Column, ColumnType } from "../dataset/columns.ts";

/** Longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 1000;
/** Deepest bracket nesting accepted (checked before parsing: mathjs' parser recurses per bracket). */
export const MAX_EXPRESSION_DEPTH = 64;
/** Deepest syntax tree accepted (a sum of n terms is n deep); bounds the compiler's and the evaluator's recursion. */
export const MAX_TREE_DEPTH = 256;

/** Names refused wherever they appear, whatever the columns (prototype-pollution vocabulary). */
const RESERVED = new Set(["constructor", "__proto__", "prototype", "this"]);

type NumericFunction = (...x: number[]) => number;

/** round(x, n): mathjs accepts n in 0…15 only; anything else is missing. */
function round(x: number, digits?: number): number {
  if (digits === undefined) return Math.round(x);
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) return NaN;
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
}

/** The pure numeric functions an expression may call, with their allowed argument counts. */
const FUNCTIONS: Record<string, { min: number; max: number; fn: NumericFunction }> = {
  abs: { min: 1, max: 1, fn: Math.abs },
  sqrt: { min: 1, max: 1, fn: Math.sqrt },
  cbrt: { min: 1, max: 1, fn: Math.cbrt },
  exp: { min: 1, max: 1, fn: Math.exp },
  expm1: { min: 1, max: 1, fn: Math.expm1 },
  log: { min: 1, max: 2, fn: (x, base) => (base === undefined ? Math.log(x) : Math.log(x) / Math.log(base)) },
  log10: { min: 1, max: 1, fn: Math.log10 },
  log2: { min: 1, max: 1, fn: Math.log2 },
  log1p: { min: 1, max: 1, fn: Math.log1p },
  sin: { min: 1, max: 1, fn: Math.sin },
  cos: { min: 1, max: 1, fn: Math.cos },
  tan: { min: 1, max: 1, fn: Math.tan },
  asin: { min: 1, max: 1, fn: Math.asin },
  acos: { min: 1, max: 1, fn: Math.acos },
  atan: { min: 1, max: 1, fn: Math.atan },
  atan2: { min: 2, max: 2, fn: Math.atan2 },
  sinh: { min: 1, max: 1, fn: Math.sinh },
  cosh: { min: 1, max: 1, fn: Math.cosh },
  tanh: { min: 1, max: 1, fn: Math.tanh },
  floor: { min: 1, max: 1, fn: Math.floor },
  ceil: { min: 1, max: 1, fn: Math.ceil },
  round: { min: 1, max: 2, fn: round },
  sign: { min: 1, max: 1, fn: Math.sign },
  min: { min: 1, max: 32, fn: Math.min },
  max: { min: 1, max: 32, fn: Math.max },
  pow: { min: 2, max: 2, fn: Math.pow },
  hypot: { min: 1, max: 32, fn: Math.hypot },
  clamp: { min: 3, max: 3, fn: (x, low, high) => Math.min(Math.max(x, low), high) },
};

/** The function names an expression may call, for messages and the API's documentation. */
export const EXPRESSION_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

const BINARY: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  pow: (a, b) => a ** b,
  mod: (a, b) => a - b * Math.floor(a / b), // mathjs' mod: the sign of the divisor
  larger: (a, b) => Number(a > b),
  largerEq: (a, b) => Number(a >= b),
  smaller: (a, b) => Number(a < b),
  smallerEq: (a, b) => Number(a <= b),
  equal: (a, b) => Number(a === b),
  unequal: (a, b) => Number(a !== b),
  and: (a, b) => Number(a !== 0 && b !== 0),
  or: (a, b) => Number(a !== 0 || b !== 0),
  xor: (a, b) => Number((a !== 0) !== (b !== 0)),
};
/** mathjs' names of comparison operators → their text, to locate them. */
const COMPARISONS: Record<string, string> = { smaller: "<", larger: ">", smallerEq: "<=", largerEq: ">=", equal: "==", unequal: "!=" };
const UNARY: Record<string, (a: number) => number> = { unaryMinus: (a) => -a, unaryPlus: (a) => a, not: (a) => Number(a === 0) };

/** Non-finite values are missing (see the module rules); NaN stays NaN. */
const finite = (v: number): number => (v - v === 0 ? v : NaN);

/** One input of a row: a number (NaN when missing) or, for CATEGORY columns, a string or null. */
export type InputValue = number | string | null;

/** A compiled node: the inputs of one row (in `inputs` order) → a finite number or NaN. */
type Compiled = (values: readonly InputValue[]) => number;

export interface CompiledExpression {
  source: string;
  /** the columns the expression reads, in first-use order */
  inputs: string[];
  /** the type of each input, in `inputs` order */
  types: ColumnType[];
  /**
   * The value for one row's inputs, in `inputs` order (NUMBER / BOOLEAN: a number, NaN when
   * missing; CATEGORY: the string, null when missing): a finite number or NaN (missing).
   */
  evaluate(values: readonly InputValue[]): number;
}

export interface DerivedFeature {
  name: string;
  expression: string;
}

export interface CompileOptions {
  /** where errors point (e.g. `derivedFeatures[0].expression`); default `expression` */
  field?: string;
  /** names of derived features, refused with a message saying why (expressions read dataset columns only) */
  derivedNames?: readonly string[];
}

/** Column types by name, as a Map or a plain record. */
export type ColumnTypes = ReadonlyMap<string, ColumnType> | Readonly<Record<string, ColumnType>>;

/**
 * Parse and check an expression against the available columns, once; the result evaluates
 * rows without parsing again.
 * @param columns name → type of every column the expression may read
 * @param options the field errors name (a string is the field), derived-feature names
 * @throws InvalidInputError with details { field, position? } for anything outside the grammar
 * @example compileExpression("sqft / rooms", new Map([["sqft", "NUMBER"], ["rooms", "NUMBER"]])).evaluate([1200, 4]) // 300
 */
export function compileExpression(source: string, columns: ColumnTypes, options: string | CompileOptions = {}): CompiledExpression {
  const { field = "expression", derivedNames = [] } = typeof options === "string" ? { field: options } : options;
  const types: ReadonlyMap<string, ColumnType> = columns instanceof Map ? columns : new Map(Object.entries(columns as Record<string, ColumnType>));
  const fail = (message: string, position: number | null): never => {
    throw new InvalidInputError(`${message}${position === null ? "" : ` (at character ${position}, counting from 0)`}`, { field, ...(position === null ? {} : { position }) });
  };
  if (typeof source !== "string") return fail(`The expression must be a string, got ${source === null ? "null" : typeof source}.`, null);
  if (source.trim() === "") fail("The expression is empty.", null);
  if (source.length > MAX_EXPRESSION_LENGTH) fail(`The expression has ${source.length} characters; at most ${MAX_EXPRESSION_LENGTH} are allowed.`, MAX_EXPRESSION_LENGTH);

  // Tokens first (no recursion): their positions locate errors, and the bracket depth is
  // bounded before mathjs' recursive-descent parser sees the text.
  const tokens = scan(source);
  if (tokens.length === 0) fail("The expression is empty (only a comment).", null);
  let depth = 0;
  for (const token of tokens) {
    if (token.kind !== "delimiter") continue;
    if (token.text === "(" || token.text === "[" || token.text === "{") depth++;
    else if (token.text === ")" || token.text === "]" || token.text === "}") depth--;
    if (depth > MAX_EXPRESSION_DEPTH) fail(`The expression nests more than ${MAX_EXPRESSION_DEPTH} brackets deep.`, token.start);
  }

  let tree: MathNode;
  try {
    tree = parse(source);
  } catch (e) {
    const char = (e as { char?: unknown } | null)?.char;
    const at = typeof char === "number" ? Math.max(0, Math.min(source.length, char - 1)) : null;
    const reason = e instanceof Error ? e.message.replace(/ \(char \d+\)$/, "") : "unreadable input";
    return fail(`The expression does not parse: ${reason}.`, at);
  }

  // mathjs nodes carry no positions. The compiler visits the tree in source order, so the
  // token of each node is the next one of its text (or kind) after the last one found.
  let cursor = 0;
  const locate = (match: (token: Token) => boolean): number | null => {
    for (let k = cursor; k < tokens.length; k++) {
      if (match(tokens[k])) {
        cursor = k + 1;
        return tokens[k].start;
      }
    }
    const first = tokens.find(match); // defensive: visited out of order
    return first ? first.start : null;
  };
  const locateText = (text: string) => locate((t) => t.text === text && t.kind !== "string");
  const locateString = () => locate((t) => t.kind === "string");

  const inputs: string[] = [];
  const inputTypes: ColumnType[] = [];
  const slot = (name: string, type: ColumnType): number => {
    let k = inputs.indexOf(name);
    if (k < 0) {
      k = inputs.push(name) - 1;
      inputTypes.push(type);
    }
    return k;
  };

  const checkName = (name: string, at: number | null): void => {
    if (RESERVED.has(name)) fail(`${JSON.stringify(name)} is a reserved name and cannot be used in an expression.`, at);
  };

  const numeric = (node: MathNode, level: number): Compiled => {
    if (level > MAX_TREE_DEPTH) return fail(`The expression is too deeply nested (more than ${MAX_TREE_DEPTH} operations inside one another); split it into several derived features.`, null);
    const n = node as MathNode & Record<string, any>;
    switch (node.type) {
      case "ConstantNode": {
        if (typeof n.value === "number" && Number.isFinite(n.value)) {
          const v = n.value as number;
          return () => v;
        }
        if (typeof n.value === "boolean") {
          const v = Number(n.value);
          return () => v;
        }
        if (typeof n.value === "string") return fail(`A string (${JSON.stringify(n.value)}) can only be compared with == or != to a CATEGORY column.`, locateString());
        return fail(`${String(n.value)} is not allowed in an expression; numbers must be finite (missing values come from the columns).`, locateText(String(n.value)));
      }
      case "SymbolNode": {
        const name = n.name as string;
        const at = locateText(name);
        checkName(name, at);
        const type = types.get(name);
        if (type === undefined) {
          if (Object.hasOwn(CONSTANTS, name)) {
            const v = CONSTANTS[name];
            return () => v;
          }
          if (derivedNames.includes(name)) {
            return fail(`${JSON.stringify(name)} is a derived feature: expressions read dataset columns only; repeat its expression instead.`, at);
          }
          return fail(`Unknown column ${JSON.stringify(name)}.`, at);
        }
        if (type === "CATEGORY") return fail(`Column ${JSON.stringify(name)} is CATEGORY: compare it with a string, e.g. ${name} == "value".`, at);
        const k = slot(name, type);
        return (values) => {
          const v = values[k];
          return typeof v === "number" ? finite(v) : NaN;
        };
      }
      case "ParenthesisNode":
        locateText("(");
        return numeric(n.content, level + 1);
      case "OperatorNode": {
        // Operands are compiled in source order around the operator, so that the first error
        // in the text is the one reported and the operator's token is found after its left operand.
        const fn = n.fn as string;
        const args = n.args as MathNode[];
        const text = String(n.op);
        const refuse = () => fail(`Operator ${JSON.stringify(text)} is not allowed.`, locateText(text));
        if (args.length === 2) {
          if (fn === "equal" || fn === "unequal") {
            const comparison = categoryComparison(args, fn === "equal");
            if (comparison) return comparison;
          }
          const a = numeric(args[0], level + 1);
          if (!Object.hasOwn(BINARY, fn)) return refuse();
          const op = BINARY[fn];
          const b = numeric(args[1], level + 1);
          return (values) => {
            const x = a(values);
            const y = b(values);
            return x !== x || y !== y ? NaN : finite(op(x, y));
          };
        }
        if (args.length === 1 && (fn === "factorial" || fn === "ctranspose")) {
          numeric(args[0], level + 1); // postfix: the operand comes first
          return refuse();
        }
        if (args.length === 1 && Object.hasOwn(UNARY, fn)) {
          const op = UNARY[fn];
          locateText(text);
          const a = numeric(args[0], level + 1);
          return (values) => {
            const x = a(values);
            return x !== x ? NaN : op(x);
          };
        }
        return refuse();
      }
      case "ConditionalNode": {
        const c = numeric(n.condition, level + 1);
        const t = numeric(n.trueExpr, level + 1);
        const f = numeric(n.falseExpr, level + 1);
        return (values) => {
          const x = c(values);
          return x !== x ? NaN : x !== 0 ? t(values) : f(values);
        };
      }
      case "FunctionNode": {
        const callee = n.fn as MathNode & Record<string, any>;
        if (callee.type !== "SymbolNode") {
          numeric(callee, level + 1); // refuses what the callee is made of (a.b, f(x), …) where it is
          return fail("Only the listed functions can be called, by name.", locateText("("));
        }
        const name = callee.name as string;
        const at = locateText(name);
        checkName(name, at);
        if (!Object.hasOwn(FUNCTIONS, name)) {
          return fail(`Unknown function ${JSON.stringify(name)}; allowed: ${EXPRESSION_FUNCTIONS.join(", ")}.`, at);
        }
        const { min, max, fn } = FUNCTIONS[name];
        const count = (n.args as MathNode[]).length;
        if (count < min || count > max) {
          fail(`${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${count}.`, at);
        }
        return call(fn, (n.args as MathNode[]).map((arg) => numeric(arg, level + 1)));
      }
      case "AssignmentNode":
        return fail("Assignment is not allowed.", locateText("="));
      case "FunctionAssignmentNode":
        return fail("Defining functions is not allowed.", locateText("="));
      case "AccessorNode":
        return fail("Property access is not allowed.", locate((t) => t.text === "." || t.text === "["));
      case "IndexNode":
        return fail("Index access is not allowed.", locateText("["));
      case "ObjectNode":
        return fail("Objects are not allowed.", locateText("{"));
      case "ArrayNode":
        return fail("Arrays and matrices are not allowed.", locateText("["));
      case "BlockNode":
        // One statement with a trailing `;` or new line is still one expression.
        if ((n.blocks as unknown[]).length === 1) return numeric((n.blocks as { node: MathNode }[])[0].node, level + 1);
        return fail("Only one expression is allowed (no ; or new lines).", locate((t) => t.text === ";" || t.text === "\n"));
      case "RangeNode":
        return fail("Ranges are not allowed.", locateText(":"));
      case "RelationalNode": {
        // a < b < c: mathjs chains the comparisons; the second operator is the one refused.
        const params = n.params as MathNode[];
        numeric(params[0], level + 1);
        locateText(COMPARISONS[(n.conditionals as string[])[0]] ?? "");
        numeric(params[1], level + 1);
        return fail("Chained comparisons are not allowed; combine them with and, e.g. a < b and b < c.", locateText(COMPARISONS[(n.conditionals as string[])[1]] ?? ""));
      }
      default:
        return fail(`${node.type} is not allowed in an expression.`, null);
    }
  };

  /** `column == "value"` (either order, parentheses allowed) where the column is CATEGORY; null when not that shape. */
  const categoryComparison = (args: MathNode[], equal: boolean): Compiled | null => {
    const [a, b] = args.map(unwrap) as (MathNode & Record<string, any>)[];
    const isString = (x: MathNode & Record<string, any>) => x.type === "ConstantNode" && typeof x.value === "string";
    const isCategory = (x: MathNode & Record<string, any>) => x.type === "SymbolNode" && !RESERVED.has(x.name) && types.get(x.name) === "CATEGORY";
    const symbolFirst = isCategory(a) && isString(b);
    if (!symbolFirst && !(isString(a) && isCategory(b))) return null;
    const symbol = symbolFirst ? a : b;
    if (symbolFirst) {
      locateText(symbol.name);
      locateString();
    } else {
      locateString();
      locateText(symbol.name);
    }
    const k = slot(symbol.name, "CATEGORY");
    const target = (symbolFirst ? b : a).value as string;
    return (values) => {
      const v = values[k];
      return typeof v !== "string" ? NaN : Number((v === target) === equal);
    };
  };

  const compiled = numeric(tree, 0);
  return {
    source,
    inputs,
    types: inputTypes,
    evaluate: compiled,
  };
}

function unwrap(node: MathNode): MathNode {
  let x = node as MathNode & Record<string, any>;
  while (x.type === "ParenthesisNode") x = x.content;
  return x;
}

/**
 * A call node. Arguments are evaluated into a buffer owned by the node, so that evaluating
 * a row allocates nothing (the tree is never re-entered while a node evaluates).
 */
function call(fn: NumericFunction, args: Compiled[]): Compiled {
  if (args.length === 1) {
    const [a] = args;
    return (values) => finite(fn(a(values)));
  }
  if (args.length === 2) {
    const [a, b] = args;
    return (values) => {
      const x = a(values);
      const y = b(values);
      return x !== x || y !== y ? NaN : finite(fn(x, y));
    };
  }
  const buffer = new Array<number>(args.length);
  return (values) => {
    for (let k = 0; k < args.length; k++) {
      const x = args[k](values);
      if (x !== x) return NaN;
      buffer[k] = x;
    }
    return finite(fn.apply(undefined, buffer));
  };
}

/** A token of the source, with its 0-based start; only what locating errors needs. */
interface Token {
  kind: "name" | "number" | "string" | "delimiter";
  text: string;
  start: number;
}

/** Multi-character delimiters of mathjs, longest first, then any single character. */
const DELIMITERS = [">>>", ".*", "./", ".^", "^|", "==", "!=", "<=", ">=", "<<", ">>"];

const isNameStart = (c: string) => /^[a-zA-Z_$\u00C0-\u02AF\u0370-\u03FF\u2100-\u214F\uD835]$/.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";

/**
 * Split the source into tokens the way mathjs does, closely enough to find where names,
 * strings and operators are: names are letters (as mathjs reads them), digits, _ and $;
 * numbers swallow their exponent (`1e3` has no name `e3`); strings are quoted with " or '
 * (a ' right after an operand is mathjs' transpose); `#` starts a comment to the line end.
 * A loop, no recursion: it runs before the parser, on any input up to the length limit.
 */
function scan(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const operandEnded = () => {
    const last = tokens[tokens.length - 1];
    return !!last && (last.kind !== "delimiter" || last.text === ")" || last.text === "]" || last.text === "}" || last.text === "'" || last.text === "!");
  };
  while (i < source.length) {
    const c = source[i];
    const start = i;
    if (c === " " || c === "\t" || c === "\r") i++;
    else if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === '"' || (c === "'" && !operandEnded())) {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === "\\" ? 2 : 1;
      i++;
      tokens.push({ kind: "string", text: source.slice(start, Math.min(i, source.length)), start });
    } else if (isDigit(c) || (c === "." && isDigit(source[i + 1] ?? ""))) {
      while (i < source.length && (isDigit(source[i]) || source[i] === ".")) i++;
      if (source[i] === "e" || source[i] === "E") {
        let j = i + 1;
        if (source[j] === "+" || source[j] === "-") j++;
        if (isDigit(source[j] ?? "")) {
          i = j;
          while (i < source.length && isDigit(source[i])) i++;
        }
      }
      tokens.push({ kind: "number", text: source.slice(start, i), start });
    } else if (isNameStart(c)) {
      while (i < source.length && (isNameStart(source[i]) || isDigit(source[i]) || (source[i] >= "\uDC00" && source[i] <= "\uDFFF"))) i++;
      tokens.push({ kind: "name", text: source.slice(start, i), start });
    } else {
      const text = DELIMITERS.find((d) => source.startsWith(d, i)) ?? c;
      i += text.length;
      tokens.push({ kind: "delimiter", text, start });
    }
  }
  return tokens;
}

/**
 * Compile a model's derived features against the dataset's columns: names must be new,
 * distinct and non-empty; expressions read dataset columns only (not other derived features).
 * Errors name `derivedFeatures[i].name` or `derivedFeatures[i].expression`.
 */
export function compileDerivedFeatures(specs: readonly DerivedFeature[], columns: ColumnTypes): CompiledExpression[] {
  const types: ReadonlyMap<string, ColumnType> = columns instanceof Map ? columns : new Map(Object.entries(columns as Record<string, ColumnType>));
  const derivedNames = specs.map((spec) => spec?.name).filter((name): name is string => typeof name === "string");
  const seen = new Set<string>();
  return specs.map((spec, j) => {
    const at = `derivedFeatures[${j}]`;
    if (typeof spec?.name !== "string" || spec.name.trim() === "") throw new InvalidInputError(`${at}.name must be a non-empty name.`, { field: `${at}.name` });
    if (types.has(spec.name)) throw new InvalidInputError(`Derived feature ${JSON.stringify(spec.name)} has the name of a dataset column; choose another.`, { field: `${at}.name` });
    if (seen.has(spec.name)) throw new InvalidInputError(`Derived feature ${JSON.stringify(spec.name)} is defined twice.`, { field: `${at}.name` });
    seen.add(spec.name);
    return compileExpression(spec.expression, types, { field: `${at}.expression`, derivedNames });
  });
}

/**
 * A derived feature's values over dataset rows, as a NUMBER column (NaN where missing).
 * Reads `expression.inputs` from `columns` (one typed array per column, all of one length).
 */
export function deriveColumn(name: string, expression: CompiledExpression, columns: readonly Column[]): Column {
  const sources = expression.inputs.map((input) => {
    const column = columns.find((c) => c.name === input);
    if (!column) throw new InvalidInputError(`Derived feature ${JSON.stringify(name)} reads column ${JSON.stringify(input)}, which is not loaded.`, { field: name });
    return column;
  });
  const n = sources.length > 0 ? sources[0].values.length : (columns[0]?.values.length ?? 0);
  const out = new Float64Array(n);
  const values: InputValue[] = new Array(sources.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < sources.length; k++) {
      const column = sources[k];
      if (column.type === "CATEGORY") {
        const code = column.values[i];
        values[k] = code >= 0 ? column.categories[code] : null;
      } else {
        values[k] = column.values[i];
      }
    }
    out[i] = expression.evaluate(values);
  }
  return { name, type: "NUMBER", values: out };
}

/**
 * A derived feature's value for one raw prediction record, or null when missing. Values are
 * checked like the pipeline checks them: NUMBER a finite number, BOOLEAN true / false,
 * CATEGORY a string, null for missing (an absent key is missing too: the caller decides
 * whether absence is an error).
 * @param row the record's index, for errors
 * @throws InvalidInputError naming the input (and row) when a value has the wrong type
 */
export function deriveValue(expression: CompiledExpression, record: Record<string, unknown>, row?: number): number | null {
  const values = expression.inputs.map((input, k): InputValue => {
    const v = Object.hasOwn(record, input) ? record[input] : undefined;
    if (v === null || v === undefined) return null;
    const type = expression.types[k];
    if (type === "CATEGORY" ? typeof v === "string" : type === "BOOLEAN" ? typeof v === "boolean" : typeof v === "number" && Number.isFinite(v)) {
      return typeof v === "boolean" ? Number(v) : (v as number | string);
    }
    const expected = type === "NUMBER" ? "a finite number" : type === "BOOLEAN" ? "true or false" : "a string";
    const where = row === undefined ? "The input" : `Input ${row}`;
    throw new InvalidInputError(`${where} has ${JSON.stringify(v) ?? String(v)} (${typeof v}) for ${JSON.stringify(input)}, which expects ${expected} (or null when missing).`, {
      field: input,
      ...(row === undefined ? {} : { row }),
    });
  });
  const result = expression.evaluate(values);
  return Number.isNaN(result) ? null : result;
}
