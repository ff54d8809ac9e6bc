#!/usr/bin/env python3
"""Write the man page attache(1) (roff) from what the project already says.

- the commands and their one-line summaries: `attache --help`;
- each command's usage line, options and closing notes: `attache help CMD`
  (GOptionContext's own text, so the page lists exactly the flags the
  command takes);
- for prep, watch and review, the options' descriptions and defaults from
  the option table (`options-md SCOPE`, tools/options-md.c), and for watch
  the INBOX/attache.ini keys (`options-md ini`);
- each command's description: the first paragraph of docs/COMMAND.md;
- EXIT STATUS: the table of docs/exit-codes.md.

No pandoc: Markdown's inline code, emphasis and links are all the docs'
cells use, and they are turned into roff here.

usage: tools/man.py BUILD > BUILD/attache.1
"""
import datetime
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# the command's page in docs/, and the option table's scope of its flags
DOCS = {"prep": "prep", "presets": "presets", "watch": "watch",
        "audit": "audit", "upload": "upload", "review": "review",
        "approve": "review", "serve": "serve", "user": "serve",
        "token": "serve"}
SCOPES = {"prep": "prep", "watch": "watch", "review": "review"}


def run(*cmd):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    return subprocess.run(cmd, capture_output=True, text=True, env=env,
                          check=True).stdout


def esc(text):
    """Plain text as roff: backslashes, hyphens of flags, leading dots."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def inline(md):
    """A Markdown line (code, emphasis, links) as roff."""
    md = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", md)
    out = []
    for i, part in enumerate(re.split(r"`([^`]*)`", md)):
        if i % 2:
            out.append("\\fB" + esc(part) + "\\fR")
        else:
            part = esc(part)
            part = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", part)
            part = re.sub(r"(?<![\w*])\*([^*]+)\*(?!\w)", r"\\fI\1\\fR", part)
            out.append(part)
    return "".join(out)


def first_paragraph(path):
    """The first paragraph of prose in a docs page (no heading, code,
    table or list)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    para, fence = [], False
    for line in lines:
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        prose = line.strip() and not line.startswith(("#", "    ", "|", "- ", "\t"))
        if prose:
            para.append(line.strip())
        elif para:
            break
    return " ".join(para)


def table_rows(md):
    """The body rows of a Markdown table, as lists of cells."""
    rows = []
    for line in md.splitlines():
        if not line.startswith("|") or re.match(r"^\|[-| ]+\|$", line):
            continue
        rows.append(cells(line))
    return rows[1:]


def cells(line):
    """A Markdown table row's cells (a \\| inside one is a bar)."""
    parts = re.split(r"(?<!\\)\|", line.strip()[1:-1])
    return [c.strip().replace("\\|", "|") for c in parts]


def help_parts(text):
    """GOption's --help: the usage line, [(flags, help)], closing text."""
    usage, opts, notes, section = "", [], [], None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            section = "usage"
        elif line.endswith("Options:") and not line.startswith(" "):
            section = "options"
        elif section == "usage" and line.strip():
            usage = line.strip()
        elif section == "options" and line.startswith("  "):
            m = re.match(r"\s+(\S.*?)(?:\s{2,}(.*))?$", line)
            if m and m.group(1).startswith("-"):
                if m.group(1).startswith(("-h, --help", "--help-")):
                    continue
                opts.append([m.group(1), m.group(2) or ""])
            elif opts:
                opts[-1][1] += " " + line.strip()
        elif section == "options" and line.strip():
            section = "notes"
            notes.append(line.strip())
        elif section == "notes":
            notes.append(line.strip())
    return usage, opts, [n for n in notes if n]


def option_items(rows):
    """An option table's rows (flag, text, default) as .TP items."""
    out = []
    for cells in rows:
        flag, text = cells[0], cells[1]
        default = cells[2] if len(cells) > 2 else ""
        out.append(".TP\n" + inline(flag))
        out.append(inline(text) + (" (default: " + inline(default) + ")"
                                   if default else ""))
    return out


def command_section(build, name, summary):
    usage, opts, notes = help_parts(run(os.path.join(build, "attache"),
                                        "help", name))
    out = [".SH \"ATTACHE %s\"" % name.upper()]
    out.append(".B " + esc(usage))
    out.append(".PP\n" + esc(summary[:1].upper() + summary[1:]) + ".")
    doc = os.path.join(ROOT, "docs", DOCS[name] + ".md")
    para = first_paragraph(doc)
    if para:
        out.append(".PP\n" + inline(para))
    out.append(".PP\nOptions:")
    if name in SCOPES:
        table = run(os.path.join(build, "options-md"), SCOPES[name])
        out += option_items(table_rows(table))
        # the command's own flags, which the table does not hold
        for flags, text in opts:
            long = re.sub(r"[= ].*", "", flags.split(", ")[-1])
            if "`%s " % long not in table and "`%s`" % long not in table \
                    and ", %s" % long not in table:
                out.append(".TP\n.B " + esc(flags) + "\n" + esc(text))
    else:
        for flags, text in opts:
            out.append(".TP\n.B " + esc(flags) + "\n" + esc(text))
    if notes:
        out.append(".PP\n" + esc(" ".join(notes)))
    if name == "watch":
        out.append(".PP\nKeys of \\fIINBOX\\fR/attache.ini (docs/watch.md):")
        out += option_items(table_rows(run(os.path.join(build, "options-md"),
                                           "ini")))
    out.append(".PP\nSee docs/%s.md." % DOCS[name])
    return out


def exit_status():
    with open(os.path.join(ROOT, "docs", "exit-codes.md"),
              encoding="utf-8") as f:
        md = f.read()
    lines = [l for l in md.splitlines() if l.startswith("|")]
    head = cells(lines[0])
    out = [".SH \"EXIT STATUS\""]
    for row in table_rows(md):
        said = ["%s: %s" % (inline(h), inline(c))
                for h, c in zip(head[1:], row[1:]) if c not in ("—", "")]
        out.append(".TP\n.B %s\n%s" % (row[0], "; ".join(said)))
    out.append(".PP\nThe other commands: docs/exit-codes.md.")
    return out


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    build = argv[1]
    attache = os.path.join(build, "attache")
    version = run(attache, "--version").split()[-1]
    commands = []
    for line in run(attache, "--help").splitlines():
        m = re.match(r"^  (\w+)\s+(.*)$", line)
        if m:
            commands.append((m.group(1), m.group(2)))
    date = datetime.date.fromtimestamp(
        int(os.environ.get("SOURCE_DATE_EPOCH",
                           os.path.getmtime(os.path.join(ROOT, "src", "lib",
                                                         "attache.h")))))
    out = ['.TH ATTACHE 1 "%s" "attache %s" "User Commands"' %
           (date.isoformat(), version)]
    out.append(".SH NAME\nattache \\- prepare field photos for social media")
    out.append(".SH SYNOPSIS")
    for name, _ in commands:
        out.append(".B attache %s\n.RI [ OPTIONS ]\n.br" % name)
    out.append(".B attache help\n.RI [ COMMAND ]\n.br\n.B attache \\-V")
    out.append(".SH DESCRIPTION")
    out.append(inline(first_paragraph(os.path.join(ROOT, "README.md"))))
    out.append(".PP\nCommands:")
    for name, summary in commands:
        out.append(".TP\n.B %s\n%s" % (name, esc(summary)))
    for name, summary in commands:
        out += command_section(build, name, summary)
    out += exit_status()
    out.append(""".SH FILES
.TP
.I PREFIX/share/attache/presets/
the built\\-in presets (\\fBattache presets\\fR lists them)
.TP
.I $XDG_CONFIG_HOME/attache/presets/
your own presets, which add to and replace the built\\-in ones
.TP
.I $XDG_CONFIG_HOME/attache/campaigns/NAME.ini\\fR, \\fIPREFIX/share/attache/campaigns/NAME.ini
campaigns, found by \\fB\\-c NAME\\fR (the example: \\fB\\-c demo\\fR)
.TP
.I $XDG_CONFIG_HOME/attache/credentials.ini
upload credentials (mode 600; docs/upload.md)
.TP
.I PREFIX/share/doc/attache/
the documentation, and \\fIattache\\-watch.service\\fR, a systemd user unit
for the hot folder (docs/watch.md)
.SH ENVIRONMENT
.TP
.B ATTACHE_PRESET_DIR
the folder of built\\-in presets, instead of the installed one
.TP
.B ATTACHE_X_*\\fR, \\fBATTACHE_MASTODON_*\\fR, \\fBATTACHE_BLUESKY_*
upload credentials (docs/upload.md)
.SH "SEE ALSO"
.BR vips (1),
.BR exiftool (1),
and the documentation in \\fIPREFIX/share/doc/attache/\\fR.""")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv)
