import sys,json
tags=set(sys.argv[1:])
for l in open('logs/runs.jsonl'):
  d=json.loads(l)
  if d['stage']=='setup' or d.get('ca') is None: continue
  if tags and d['tag'] not in tags: continue
  print(d['tag'],d['stage'],d['epoch'],round(100*d['ca'],1),round(100*d['asr'],1),round(100*d['fit'],1),d.get('loss'),'cpu',d.get('cpu'),'wall',d.get('wall'),'skip',d.get('skipped'))
