# Renders the P-series (recipe candidates) and their cleaning runs from logs/runs.jsonl as markdown rows.
import json,collections
rows=collections.OrderedDict()
for l in open('logs/runs.jsonl'):
    d=json.loads(l)
    if d['stage']=='setup' or d.get('ca') is None: continue
    rows.setdefault((d['tag'],d['stage']),[]).append(d)
def fmt(ds): return ' · '.join(f"{d['epoch']}: {100*d['ca']:.1f}/{100*d['asr']:.1f}" for d in ds)
for (tag,stage),ds in rows.items():
    if tag.startswith(('P','Q')) and stage=='pretrain':
        print(f"| {tag} | {fmt(ds)} | {ds[-1]['cpu']} | {ds[-1].get('skipped')} |")
print()
for (tag,stage),ds in rows.items():
    if tag.startswith('C') and '-' in tag and stage in ('mmcl','cleanclip'):
        print(f"| {tag.split('-',1)[0].replace('C','seed ')} | {tag.split('-',1)[1]} | {stage} | {fmt(ds)} | {ds[-1]['cpu']} | {ds[-1].get('skipped')} |")
