"""Issue 11, point 13: the input folder is the output folder.
`attache prep -o same same` prepared its own outputs again on the next run
(x-landscape.x-landscape.jpg). The output folder's own outputs (those its
manifest lists) are never inputs: in prep (folder walk and files named on
the command line) and in watch (an output folder that is the inbox through
a link is refused)."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import attack
import lib
import test_watch as W


def test_prep_into_its_own_input_folder_twice_never_prepares_outputs():
    fx = [f for f in W.fixtures() if f.endswith(".jpg")][:2]
    with lib.TempDir() as d:
        same = os.path.join(d, "same")
        os.makedirs(same)
        for n, f in zip("ab", fx):
            shutil.copy(f, os.path.join(same, n + ".jpg"))
        for run in range(2):
            r = attack.run_bounded("prep", "-o", same, same, "--json",
                                   timeout=120)
            lib.assert_eq(r.returncode, 0, r)
            inputs = sorted({os.path.basename(l["input"])
                             for l in lib.json_lines(r.stdout)})
            lib.assert_eq(inputs, ["a.jpg", "b.jpg"], "run %d's inputs" % run)
        names = sorted(os.listdir(same))
        assert not [n for n in names if n.count("x-landscape") > 1], names
        lib.assert_eq(sorted(n for n in names if n.endswith(".jpg")),
                      ["a.jpg", "a.x-landscape.jpg", "b.jpg",
                       "b.x-landscape.jpg"], "the folder")
        # named one by one (a shell glob): outputs are left out, and said so
        r = attack.run_bounded("prep", "-o", same, "--json",
                               *[os.path.join(same, n) for n in names
                                 if n.endswith(".jpg")], timeout=120)
        lib.assert_eq(r.returncode, 0, r)
        lib.assert_eq(sorted({os.path.basename(l["input"])
                              for l in lib.json_lines(r.stdout)}),
                      ["a.jpg", "b.jpg"], "inputs named by a glob")
        assert "a.x-landscape.jpg: skipped" in r.stderr, r
        with open(os.path.join(same, "attache-manifest.jsonl")) as f:
            for line in f:
                assert ".x-landscape.x-landscape" not in json.loads(line)["output"]


def test_watch_refuses_an_output_folder_that_is_the_inbox_through_a_link():
    with lib.TempDir() as root:
        inbox = W.make_inbox(root)
        link = os.path.join(root, "link")
        os.symlink(inbox, link)
        r = attack.run_bounded("watch", inbox, "--once", "-o", link, timeout=30)
        lib.assert_eq(r.returncode, 2, r)
        assert "output folder" in r.stderr, r
