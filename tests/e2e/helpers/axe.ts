// axe-core (through @axe-core/playwright) on the page as it is now, with the WCAG 2.x A and AA
// rules. Every scan is kept, and the whole record is rewritten to test-results/axe/ after each one,
// so the figures survive a test that fails half-way: per state, every violation with its impact and
// node count, and the counts per rule over the run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** Where the scans' summaries go (git-ignored, beside the screenshots). */
export const AXE_RESULTS = fileURLToPath(new URL('../../../test-results/axe/', import.meta.url));

/** WCAG 2.0, 2.1 and 2.2 at levels A and AA: what "accessible" means for the issue. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

/** One rule broken on the page: where, how badly, and a few of the offending elements. */
export interface AxeViolation {
  rule: string;
  impact: Impact | null;
  help: string;
  nodes: number;
  /** CSS selectors of up to five offending elements, with axe's one-line reason for each. */
  examples: string[];
}

/** One scan of one state of the app. */
export interface AxeScan {
  state: string;
  /** axe-core's version, as it reports itself. */
  engine: string;
  violations: AxeViolation[];
  /** Rules axe could not decide (e.g. contrast over an image): counted, not failed. */
  incomplete: number;
  /** The rules of `incomplete` with one element each, e.g. color-contrast over a photo. */
  incompleteRules: string[];
  passes: number;
  /** How long the scan took, in ms (printed, never asserted). */
  ms: number;
}

const scans: AxeScan[] = [];

/** Runs axe on the page now and records the result under `state`; returns the scan. */
export async function scanAxe(page: Page, state: string, file = 'layout'): Promise<AxeScan> {
  // Legacy mode runs axe in the page itself: the app has no frames, and the default mode would
  // open a blank page in the test's browser context for every scan.
  const started = performance.now();
  // Only violations carry their nodes: passes and incomplete are counted by rule, which is faster.
  // options() replaces the options object: it comes before withTags, which adds runOnly to it.
  const results = await new AxeBuilder({ page })
    .options({ resultTypes: ['violations'] })
    .withTags(WCAG_TAGS)
    .setLegacyMode(true)
    .analyze();
  const scan: AxeScan = {
    state,
    engine: results.testEngine.version,
    violations: results.violations.map((v) => ({
      rule: v.id,
      impact: (v.impact ?? null) as Impact | null,
      help: v.help,
      nodes: v.nodes.length,
      examples: v.nodes
        .slice(0, 5)
        .map(
          (n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').split('\n')[1]?.trim() ?? ''}`,
        ),
    })),
    incomplete: results.incomplete.length,
    incompleteRules: results.incomplete.map(
      (r) => `${r.id} (${r.nodes[0]?.target.join(' ') ?? ''})`,
    ),
    passes: results.passes.length,
    ms: Math.round(performance.now() - started),
  };
  scans.push(scan);
  writeSummary(file);
  return scan;
}

/** The violations of a scan that fail a test: serious and critical, in words. */
export function blocking(scan: AxeScan): string[] {
  return scan.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.rule} ×${v.nodes}: ${v.help} (${v.examples.join('; ')})`);
}

/** Counts per rule and impact over scans: `{ rule, impact, states, nodes }`, worst first. */
export function perRule(
  all: readonly AxeScan[],
): { rule: string; impact: Impact | null; states: number; nodes: number }[] {
  const byRule = new Map<
    string,
    { rule: string; impact: Impact | null; states: number; nodes: number }
  >();
  for (const scan of all)
    for (const v of scan.violations) {
      const row = byRule.get(v.rule) ?? { rule: v.rule, impact: v.impact, states: 0, nodes: 0 };
      row.states += 1;
      row.nodes += v.nodes;
      byRule.set(v.rule, row);
    }
  const rank = (i: Impact | null): number =>
    ['critical', 'serious', 'moderate', 'minor'].indexOf(i ?? '');
  return [...byRule.values()].sort((a, b) => rank(a.impact) - rank(b.impact) || b.nodes - a.nodes);
}

/** A Markdown table of the scans: per state the violations by impact, then counts per rule. */
export function summaryMarkdown(all: readonly AxeScan[]): string {
  const lines = [
    `axe-core ${all[0]?.engine ?? '?'}, tags ${WCAG_TAGS.join(', ')}`,
    '',
    '| state | critical | serious | moderate | minor | incomplete | passes | ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of all) {
    const n = (impact: Impact): number =>
      s.violations.filter((v) => v.impact === impact).reduce((sum, v) => sum + v.nodes, 0);
    lines.push(
      `| ${s.state} | ${n('critical')} | ${n('serious')} | ${n('moderate')} | ${n('minor')} | ${s.incomplete} | ${s.passes} | ${s.ms} |`,
    );
  }
  lines.push('', '(violation columns count offending elements)', '');
  const rules = perRule(all);
  if (rules.length === 0) lines.push('No violations in any state.');
  else {
    lines.push('| rule | impact | states | elements |', '| --- | --- | --- | --- |');
    for (const r of rules) lines.push(`| ${r.rule} | ${r.impact} | ${r.states} | ${r.nodes} |`);
  }
  return `${lines.join('\n')}\n`;
}

function writeSummary(file: string): void {
  mkdirSync(AXE_RESULTS, { recursive: true });
  writeFileSync(join(AXE_RESULTS, `${file}.json`), `${JSON.stringify(scans, null, 2)}\n`);
  writeFileSync(join(AXE_RESULTS, `${file}.md`), summaryMarkdown(scans));
}
