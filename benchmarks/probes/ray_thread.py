"""Would Ray start sooner in a thread, beside the driver's own imports, than before them (probe for issue 23)?

Run by hand:  python benchmarks/probes/ray_thread.py seq|thread|local   (a new process each; the machine otherwise idle)
'seq' is what the command does: `start_engine` (a small Ray here, and a warm-up task per slot that imports the
package), then the import of `pseudo_clean.run` (torch, fastai). 'thread' starts Ray in a thread while the main thread
imports; the thread then lives as long as the process, since Ray's own processes (GCS, raylet) are ended when the
thread that started them ends (Linux's parent-death signal is a thread's, not a process's). 'local' only imports.
Prints the seconds from the process start: Ray up (`ray`), the driver's imports done (`imported`), and every slot's
worker done importing (`warm`), which is when the folds can start. Writes nothing.
"""
import json, sys, threading, time
t0 = time.time()
from pseudo_clean.engine import start_engine

def main(mode:str):
    marks, refs = {}, []
    if mode == 'seq':
        refs = start_engine(dict(engine='ray')); marks['ray'] = time.time() - t0
        import pseudo_clean.run; marks['imported'] = time.time() - t0
    elif mode == 'thread':
        box, ready = {}, threading.Event()
        def start():
            try: box['refs'] = start_engine(dict(engine='ray')); marks['ray'] = time.time() - t0
            finally: ready.set()
            threading.Event().wait()      # lives on: Ray's processes end with the thread that started them
        threading.Thread(target=start, daemon=True).start()
        import pseudo_clean.run; marks['imported'] = time.time() - t0
        ready.wait(); refs = box['refs']
    else:
        import pseudo_clean.run; marks['imported'] = time.time() - t0
    if refs:
        import ray; ray.get(refs); marks['warm'] = time.time() - t0
    print(json.dumps(dict(mode=mode, **{k: round(v, 2) for k, v in marks.items()})), flush=True)

if __name__ == '__main__': main(sys.argv[1] if len(sys.argv) > 1 else 'seq')
