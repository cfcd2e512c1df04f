// Every regular expression written in the source: literals (`/…/g`) with their flags, and the places
// that build one at run time (`new RegExp(…)`), found with the TypeScript parser.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface RegexLiteral {
  /** `path:line`, the path relative to the repository. */
  where: string;
  pattern: RegExp;
}

export interface RegexSite {
  where: string;
  /** The call's text, cut short. */
  text: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The literals and run-time constructions of regular expressions in the files under `dirs`. */
export function findRegexes(dirs: readonly string[]): { literals: RegexLiteral[]; sites: RegexSite[] } {
  const literals: RegexLiteral[] = [];
  const sites: RegexSite[] = [];
  for (const file of dirs.flatMap((d) => sourceFiles(join(REPO, d)))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node): string =>
      `${relative(REPO, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText();
        const end = text.lastIndexOf('/');
        literals.push({ where: where(node), pattern: new RegExp(text.slice(1, end), text.slice(end + 1)) });
      } else if (
        (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
        node.expression.getText() === 'RegExp'
      ) {
        sites.push({ where: where(node), text: node.getText().slice(0, 120) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { literals, sites };
}
