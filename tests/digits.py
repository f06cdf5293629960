"""Small real image folders for the tests that run the commands: the sklearn 8x8 digits as PNGs."""
from pathlib import Path
from PIL import Image
from pseudo_clean.data import digits_8x8


def digits_folder(root:Path, n:int, start:int=0)->Path:
    "The sklearn digits `start..start+n` as PNGs in class subfolders of `root`."
    d = digits_8x8()
    for i in range(start, start + n):
        f = root/str(d.labels[i])/f'{i}.png'; f.parent.mkdir(parents=True, exist_ok=True); Image.fromarray(d.images[i]).save(f)
    return root
