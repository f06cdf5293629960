"""Should the command's second pass (few labels look wrong) also flag every label its sharper model confidently
contradicts (issue 22)? Probe; re-ranks the kept runs of `benchmarks/bench_realistic.py` for free.

    python benchmarks/probes/confident_against.py [--times 3 5 8]

The adaptive filter's count comes from the confident joint, whose per-class thresholds are the mean self-confidence
of each class: a hard wrong label whose true class the model gives 0.6-0.9 is not counted, and at 1%
instance-dependent noise the command flags a quarter of the wrong labels. A model trained with label smoothing ε
gives a class it is sure against about ε/K. This probe adds to what the command flagged before it (the `two_pass` rows
of `realistic.md` then: the second pass's default filter, at least the first pass's count) every item whose predicted class
is not its label and whose label gets less than TIMES·ε/K, for a few TIMES, on every kept run the second pass
applies to; the first pass's rows (more than `LOW_NOISE_SHARE` flagged) are the command's as they are, and are shown
too, with the same rule on their ε = 0.3, to see where it would not hold. Writes confident_against.jsonl and .md.
"""
import argparse, json, sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

def rows_for(row:dict, times_list)->list:
    "The command's flags before 2026-12-05 on one default row (`bench_realistic.two_pass_row`'s passes, from the kept runs), and the same with each rule added: dicts of metrics."
    import numpy as np
    import bench_realistic as br
    from pseudo_clean.run import flag_first
    from pseudo_clean.ranking import confident_disagreements
    from pseudo_clean.train import DEFAULT_SETTINGS
    tp = br.two_pass_row(row, train=False)
    if tp is None: return []
    again = tp['second_pass']
    if again is None or 'forget_rate' in again:     # one pass, or the pass where classes overlap (not the one this probe studies): the first pass
        r = br.cached_run(row['data'], row['kind'], row['rate'], row['seed'], {})
        if r is None: return []
        (flagged, score), eps, which = br.default_ranking(r, DEFAULT_SETTINGS['label_smoothing']), DEFAULT_SETTINGS['label_smoothing'], 'first pass only'
    else:
        r = br.cached_run(row['data'], row['kind'], row['rate'], row['seed'], again, br.second_pass_name(again))   # kept: two_pass_row(train=False) found it
        s2 = flag_first(br.default_suspects(r, again['label_smoothing']), tp['first_pass']['n_flagged']).sort_index()
        flagged, score, eps, which = s2.is_label_issue.values, s2.label_quality.values, again['label_smoothing'], 'second pass'
    key = dict(data=row['data'], kind=row['kind'], rate=row['rate'], seed=row['seed'], passes=which)
    out = [dict(key, rule='before', **br.metrics(r['wrong'], flagged, score))]
    for t in times_list: out.append(dict(key, rule=f'+ against < {t:g}·ε/K', **br.metrics(r['wrong'], flagged | confident_disagreements(r['y_noisy'], r['probs'], eps, times=t), score)))
    return out

def to_markdown(rows:list)->str:
    import numpy as np
    groups = defaultdict(list)
    for r in rows: groups[(r['data'], r['kind'], r['rate'], r['passes'], r['rule'])].append(r)
    rules = list(dict.fromkeys(r['rule'] for r in rows))
    cases = sorted({k[:4] for k in groups}, key=lambda k: (k[3], k[0], k[1], k[2]))
    L = ['# Flagging what the second pass confidently contradicts (probe for issue 22)', '',
         "Produced by `python benchmarks/probes/confident_against.py` from `bench_realistic.py`'s kept runs (means over their seeds). "
         '*before*: what `pseudo_clean` flagged before 2026-12-05 (`realistic.md`\'s `two_pass` rows then; where the first pass flags too many for a second, its rows). '
         'Each rule adds the items whose predicted class is not their label and whose label gets less than TIMES·ε/K '
         '(ε: the pass\'s label smoothing, 0.1 in the second pass, 0.3 in the first; K = 10). Cells: F1 (flagged / wrong).', '',
         '| data | kind | rate | pass | seeds | ' + ' | '.join(rules) + ' |', '|---|---|---|---|---|' + '---|' * len(rules)]
    for c in cases:
        cells = []
        for rule in rules:
            g = groups.get(c + (rule,), [])
            f1 = f"{np.mean([x['f1'] for x in g]):.3f}" if g and 'f1' in g[0] else '-'
            cells.append(f"{f1} ({np.mean([x['n_flagged'] for x in g]):.1f} / {np.mean([x['n_wrong'] for x in g]):.0f})" if g else '-')
        L.append(f"| {c[0]} | {c[1]} | {c[2]:g} | {c[3]} | {len(groups[c + (rules[0],)])} | " + ' | '.join(cells) + ' |')
    return '\n'.join(L) + '\n'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--times', type=float, nargs='+', default=[3, 5, 8])
    args = ap.parse_args()
    seen, rows = set(), []
    for l in (HERE.parent/'realistic.jsonl').read_text().splitlines():
        row = json.loads(l)
        k = (row['data'], row['kind'], row['rate'], row['seed'])
        if row['name'] != 'default' or k in seen: continue
        seen.add(k); rows += rows_for(row, args.times)
    (HERE/'confident_against.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
    md = HERE/'confident_against.md'
    old = md.read_text().split('\n## Conclusion', 1) if md.exists() else []
    md.write_text(to_markdown(rows) + '\n' + ('## Conclusion' + old[1] if len(old) == 2 else '## Conclusion\n\n(not yet written)\n'))
    print(md.read_text())

if __name__ == '__main__': main()
