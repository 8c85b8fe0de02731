/**
 * Text Postgres cannot store (src/services/text.ts): NUL and unpaired UTF-16 surrogates are
 * found, with their path, at any depth and in keys; valid Unicode (surrogate pairs included) is not.
 */
import { describe, expect, it } from "vitest";
import { findBadText, textProblem } from "../../../src/services/text.ts";

describe("textProblem", () => {
  it.each(["", "Paris", "Zürich", "東京", "emoji 😀 and 𝔘", "\ud83d\ude00"])("accepts %j", (text) => {
    expect(textProblem(text)).toBeNull();
  });
  it.each([
    ["a\u0000b", /NUL/],
    ["\u0000", /NUL/],
    ["end\ud800", /surrogate/],
    ["\udc00start", /surrogate/],
    ["\udc00\ud800", /surrogate/], // a pair in the wrong order is two unpaired halves
    ["😀\ud83d", /surrogate/],
  ])("refuses %j", (text, problem) => {
    expect(textProblem(text)).toMatch(problem);
  });
});

describe("findBadText", () => {
  it("names the path of a bad value or key, and passes good values of any shape", () => {
    expect(findBadText({ a: [1, "ok", { b: null, c: true }], d: "😀" }, "$v")).toBeNull();
    expect(findBadText([{ city: "Paris" }, { city: "Pa\u0000ris" }], "$inputs")).toEqual({ path: "$inputs[1].city", problem: "a NUL character (U+0000)" });
    expect(findBadText({ outer: { "k\u0000": 1 } }, "$doc")).toMatchObject({ path: "$doc.outer.k\\u0000", problem: expect.stringMatching(/^a key holding a NUL/) });
    expect(findBadText("\ud800", "$name")).toMatchObject({ path: "$name" });
    expect(findBadText(42, "$n")).toBeNull();
  });

  it("walks 100,000 levels of nesting without overflowing the stack", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const found = findBadText(deep, "$x");
    expect(found?.problem).toMatch(/NUL/);
    expect(found?.path).toBe(`$x${"[0]".repeat(100_000)}`);
  });
});
