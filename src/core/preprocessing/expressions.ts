/**
 * Derived features: numeric expressions over a row's columns (`log(price)`, `sqft / rooms`,
 * `x1 * x2`, `age > 65`, `city == "Paris"`), parsed once with mathjs and compiled to a tree of
 * closures that is evaluated per row. Nothing is ever evaluated by mathjs itself: its parser
 * only builds the syntax tree, which is checked node by node against a closed grammar
 * (sandbox by construction, rather than by removing dangerous functions from a live
 * evaluator):
 *
 *   numbers, true / false, pi, e; column names; + − * / ^ % mod (and unary − +);
 *   < <= > >= == != (1 or 0), and or not xor; c ? a : b; parentheses;
 *   a string only as the other side of == / != with a CATEGORY column;
 *   calls to the pure numeric functions in FUNCTIONS, with their arity.
 *
 * Everything else is refused with an InvalidInputError naming the position (0-based character
 * index in the expression): assignment, function definition, object / array / index / property
 * access, ranges, blocks, units, matrices, transpose, and every function not listed (import,
 * createUnit, evaluate, parse, simplify, derivative, …).
 *
 * Values: NUMBER columns as numbers, BOOLEAN columns as 1 / 0, CATEGORY columns only compared
 * with a string. A missing input makes the result missing (NaN); so does a non-finite result
 * (division by zero, log of a negative number, overflow), which the pipeline then imputes or
 * refuses like any missing value.
 */
import { parse, type MathNode } from "mathjs";
import { InvalidInputError } from "../errors.ts";
import type { Column, ColumnType } from "../dataset/columns.ts";

/** Longest expression accepted, and the deepest syntax tree (both far above any real use). */
export const MAX_EXPRESSION_LENGTH = 1000;
export const MAX_EXPRESSION_DEPTH = 64;

/** The pure numeric functions an expression may call, with their allowed argument counts. */
const FUNCTIONS: Record<string, { min: number; max: number; fn: (...x: number[]) => number }> = {
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
  round: { min: 1, max: 2, fn: (x, digits) => (digits === undefined ? Math.round(x) : Math.round(x * 10 ** digits) / 10 ** digits) },
  sign: { min: 1, max: 1, fn: Math.sign },
  min: { min: 1, max: 32, fn: Math.min },
  max: { min: 1, max: 32, fn: Math.max },
  pow: { min: 2, max: 2, fn: Math.pow },
  hypot: { min: 1, max: 32, fn: Math.hypot },
  clamp: { min: 3, max: 3, fn: (x, low, high) => Math.min(Math.max(x, low), high) },
};

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
const UNARY: Record<string, (a: number) => number> = { unaryMinus: (a) => -a, unaryPlus: (a) => a, not: (a) => Number(a === 0) };

/** One input of a row: a number (NaN when missing) or, for CATEGORY columns, a string or null. */
export type InputValue = number | string | null;

/** A compiled node: the inputs of one row (in `inputs` order) → a number (NaN = missing). */
type Compiled = (values: readonly InputValue[]) => number;

export interface CompiledExpression {
  source: string;
  /** the columns the expression reads, in first-use order */
  inputs: string[];
  /** the value for one row's inputs, in `inputs` order: a finite number or NaN (missing) */
  evaluate(values: readonly InputValue[]): number;
}

export interface DerivedFeature {
  name: string;
  expression: string;
}

/**
 * Parse and check an expression against the available columns, once.
 * @param columns name → type of every column the expression may read
 * @param field where errors point (e.g. `derivedFeatures[0].expression`)
 * @throws InvalidInputError with details { field, position } for anything outside the grammar
 */
export function compileExpression(source: string, columns: ReadonlyMap<string, ColumnType>, field = "expression"): CompiledExpression {
  const fail = (message: string, position: number | null): never => {
    throw new InvalidInputError(`${message}${position === null ? "" : ` (at character ${position})`}`, { field, ...(position === null ? {} : { position }) });
  };
  if (typeof source !== "string" || source.trim() === "") fail("The expression is empty.", null);
  if (source.length > MAX_EXPRESSION_LENGTH) fail(`The expression has ${source.length} characters; at most ${MAX_EXPRESSION_LENGTH} are allowed.`, MAX_EXPRESSION_LENGTH);
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    if ("([{".includes(source[i])) depth++;
    else if (")]}".includes(source[i])) depth--;
    if (depth > MAX_EXPRESSION_DEPTH) fail(`The expression nests more than ${MAX_EXPRESSION_DEPTH} levels deep.`, i);
  }

  let tree: MathNode;
  try {
    tree = parse(source);
  } catch (e) {
    const at = typeof (e as { char?: unknown }).char === "number" ? Math.max(0, Math.min(source.length, (e as { char: number }).char - 1)) : null;
    return fail(`The expression does not parse: ${(e as Error).message.replace(/ \(char \d+\)$/, "")}.`, at);
  }

  // mathjs nodes carry no positions: each name is located at its next occurrence in the
  // source after the previous one found, which is where the parser met it.
  let cursor = 0;
  const locate = (token: string): number => {
    const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, "g");
    match.lastIndex = cursor;
    const found = match.exec(source) ?? new RegExp(escaped).exec(source);
    if (!found) return 0;
    cursor = found.index + token.length;
    return found.index;
  };

  const inputs: string[] = [];
  const slot = (name: string): number => {
    let k = inputs.indexOf(name);
    if (k < 0) k = inputs.push(name) - 1;
    return k;
  };

  const numeric = (node: MathNode, level: number): Compiled => {
    if (level > MAX_EXPRESSION_DEPTH) return fail(`The expression nests more than ${MAX_EXPRESSION_DEPTH} levels deep.`, null);
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
        if (typeof n.value === "string") return fail(`A string (${JSON.stringify(n.value)}) can only be compared with == or != to a CATEGORY column.`, locate(JSON.stringify(n.value)));
        return fail(`Unsupported constant ${String(n.value)}.`, null);
      }
      case "SymbolNode": {
        const name = n.name as string;
        const type = columns.get(name);
        if (type === undefined) {
          if (Object.hasOwn(CONSTANTS, name)) {
            const v = CONSTANTS[name];
            return () => v;
          }
          return fail(`Unknown column ${JSON.stringify(name)}.`, locate(name));
        }
        if (type === "CATEGORY") return fail(`Column ${JSON.stringify(name)} is CATEGORY: compare it with a string, e.g. ${name} == "value".`, locate(name));
        const k = slot(name);
        return (values) => {
          const v = values[k];
          return typeof v === "number" ? v : NaN;
        };
      }
      case "ParenthesisNode":
        return numeric(n.content, level + 1);
      case "OperatorNode": {
        const fn = n.fn as string;
        const args = n.args as MathNode[];
        if (args.length === 1 && Object.hasOwn(UNARY, fn)) {
          const op = UNARY[fn];
          const a = numeric(args[0], level + 1);
          return (values) => op(a(values));
        }
        if (args.length === 2 && (fn === "equal" || fn === "unequal") && isCategoryComparison(args)) {
          return categoryComparison(args, fn === "equal");
        }
        if (args.length === 2 && Object.hasOwn(BINARY, fn)) {
          const op = BINARY[fn];
          const a = numeric(args[0], level + 1);
          const b = numeric(args[1], level + 1);
          return (values) => {
            const x = a(values);
            const y = b(values);
            return Number.isNaN(x) || Number.isNaN(y) ? NaN : op(x, y);
          };
        }
        return fail(`Operator ${JSON.stringify(n.op)} is not allowed.`, locate(String(n.op)));
      }
      case "ConditionalNode": {
        const c = numeric(n.condition, level + 1);
        const t = numeric(n.trueExpr, level + 1);
        const f = numeric(n.falseExpr, level + 1);
        return (values) => {
          const x = c(values);
          return Number.isNaN(x) ? NaN : x !== 0 ? t(values) : f(values);
        };
      }
      case "FunctionNode": {
        const callee = n.fn as MathNode & { name?: string };
        const name = callee.type === "SymbolNode" ? (callee.name as string) : null;
        if (name === null) return fail("Only named functions can be called.", null);
        if (!Object.hasOwn(FUNCTIONS, name)) {
          return fail(`Unknown function ${JSON.stringify(name)}; allowed: ${Object.keys(FUNCTIONS).join(", ")}.`, locate(name));
        }
        const { min, max, fn } = FUNCTIONS[name];
        const at = locate(name);
        const args = (n.args as MathNode[]).map((arg) => numeric(arg, level + 1));
        if (args.length < min || args.length > max) {
          fail(`${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${args.length}.`, at);
        }
        return (values) => {
          const xs = args.map((a) => a(values));
          return xs.some(Number.isNaN) ? NaN : fn(...xs);
        };
      }
      case "AssignmentNode":
        return fail("Assignment is not allowed.", source.indexOf("="));
      case "FunctionAssignmentNode":
        return fail("Defining functions is not allowed.", source.indexOf("="));
      case "AccessorNode":
      case "IndexNode":
        return fail("Property and index access are not allowed.", Math.max(0, source.search(/[.[]/)));
      case "ObjectNode":
        return fail("Objects are not allowed.", Math.max(0, source.indexOf("{")));
      case "ArrayNode":
        return fail("Arrays and matrices are not allowed.", Math.max(0, source.indexOf("[")));
      case "BlockNode":
        return fail("Only one expression is allowed (no ; or newlines).", Math.max(0, source.search(/[;\n]/)));
      case "RangeNode":
        return fail("Ranges are not allowed.", Math.max(0, source.indexOf(":")));
      case "RelationalNode":
        return fail("Chained comparisons are not allowed; combine them with and.", null);
      default:
        return fail(`${node.type} is not allowed in an expression.`, null);
    }
  };

  /** `column == "value"` (either order) where the column is CATEGORY. */
  const isCategoryComparison = (args: MathNode[]): boolean => {
    const [a, b] = args as (MathNode & Record<string, any>)[];
    const symbol = a.type === "SymbolNode" ? a : b.type === "SymbolNode" ? b : null;
    const constant = a.type === "ConstantNode" ? a : b.type === "ConstantNode" ? b : null;
    return !!symbol && !!constant && typeof constant.value === "string" && columns.get(symbol.name) === "CATEGORY";
  };
  const categoryComparison = (args: MathNode[], equal: boolean): Compiled => {
    const [a, b] = args as (MathNode & Record<string, any>)[];
    const symbol = a.type === "SymbolNode" ? a : b;
    const constant = a.type === "ConstantNode" ? a : b;
    locate(symbol.name);
    const k = slot(symbol.name);
    const target = constant.value as string;
    return (values) => {
      const v = values[k];
      return v === null || v === undefined || typeof v !== "string" ? NaN : Number((v === target) === equal);
    };
  };

  const compiled = numeric(tree, 0);
  return {
    source,
    inputs,
    evaluate(values) {
      const v = compiled(values);
      return Number.isFinite(v) ? v : NaN;
    },
  };
}

/**
 * Compile a model's derived features against the dataset's columns: names must be new,
 * distinct and non-empty; expressions read dataset columns only (not other derived features).
 */
export function compileDerivedFeatures(specs: readonly DerivedFeature[], columns: ReadonlyMap<string, ColumnType>): CompiledExpression[] {
  const seen = new Set<string>();
  return specs.map((spec, j) => {
    const at = `derivedFeatures[${j}]`;
    if (typeof spec?.name !== "string" || spec.name.trim() === "") throw new InvalidInputError(`${at}.name must be a non-empty name.`, { field: `${at}.name` });
    if (columns.has(spec.name)) throw new InvalidInputError(`Derived feature ${JSON.stringify(spec.name)} has the name of a dataset column; choose another.`, { field: `${at}.name` });
    if (seen.has(spec.name)) throw new InvalidInputError(`Derived feature ${JSON.stringify(spec.name)} is defined twice.`, { field: `${at}.name` });
    seen.add(spec.name);
    return compileExpression(spec.expression, columns, `${at}.expression`);
  });
}

/** A derived feature's values over dataset rows, as a NUMBER column (NaN where missing). */
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
  return { name, type: "NUMBER", values: out } as Column;
}

/** A derived feature's value for one raw prediction record (booleans as 1/0, null as missing). */
export function deriveValue(expression: CompiledExpression, record: Record<string, unknown>): number | null {
  const values = expression.inputs.map((input): InputValue => {
    const v = record[input];
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string") return v;
    return null;
  });
  const result = expression.evaluate(values);
  return Number.isNaN(result) ? null : result;
}
