using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Needle.Patching;

/// <summary>
/// Applies a unified diff (as <c>diff -u</c> or <c>git diff</c> write it) to one text, strictly: every hunk must
/// match the text at its stated line (context and removed lines exactly), or the whole patch is refused with the
/// hunk and line that did not match. No fuzz: an emergency patch that does not apply cleanly must not guess.
/// </summary>
public static partial class UnifiedDiff
{
    // No source is this long; the bound keeps every sum of a start and a count inside int.
    private const int MaxLineNumber = 100_000_000;

    /// <summary>Applies <paramref name="diff"/> to <paramref name="original"/>.</summary>
    /// <exception cref="PatchException">The diff is malformed or does not apply cleanly.</exception>
    public static string Apply(string original, string diff)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(diff);
        var newline = original.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var endsWithNewline = original.EndsWith('\n');
        var source = SplitLines(original);
        var patch = SplitLines(diff);
        var output = new List<string>(source.Count + 16);
        var cursor = 0;
        var hunks = 0;
        var i = 0;
        bool? newEndsWithNewline = null;
        var lastKind = ' ';

        while (i < patch.Count)
        {
            var line = patch[i];
            if (!line.StartsWith("@@", StringComparison.Ordinal))
            {
                // File headers (---/+++), "diff --git", "index ..." and anything before the first hunk are ignored.
                if (hunks > 0 && line.Length > 0 && !line.StartsWith("diff ", StringComparison.Ordinal) && !line.StartsWith("---", StringComparison.Ordinal) && !line.StartsWith("+++", StringComparison.Ordinal))
                {
                    throw new PatchException($"Line {i + 1} of the diff is outside any hunk: '{Shorten(line)}'.");
                }

                i++;
                continue;
            }

            var header = HunkHeader().Match(line);
            if (!header.Success)
            {
                throw new PatchException($"Line {i + 1} of the diff is not a valid hunk header ('@@ -start,count +start,count @@'): '{Shorten(line)}'.");
            }

            hunks++;
            var headerLine = i + 1;
            var oldStart = Number(header.Groups["os"], headerLine, line);
            var oldCount = header.Groups["oc"].Success ? Number(header.Groups["oc"], headerLine, line) : 1;
            var newStart = Number(header.Groups["ns"], headerLine, line);
            var newCount = header.Groups["nc"].Success ? Number(header.Groups["nc"], headerLine, line) : 1;
            if (oldStart == 0 && oldCount > 0)
            {
                throw new PatchException($"Line {headerLine} of the diff (hunk {hunks}) removes or keeps lines from line 0; lines are numbered from 1.");
            }

            // A hunk that adds to an empty range starts after line oldStart; otherwise at line oldStart (1-based).
            var at = oldCount == 0 ? oldStart : oldStart - 1;
            if (at < cursor || at > source.Count || oldCount > source.Count - at)
            {
                var where = at < cursor ? "before the end of the previous hunk" : $"past the end of the source ({source.Count} lines)";
                throw new PatchException($"Line {headerLine} of the diff (hunk {hunks}) covers lines {oldStart} to {oldStart + (long)oldCount - 1}, which is {where}.");
            }

            // The new side must start where the old side's lines land, as diff -u and git diff write it.
            var expectedNewStart = output.Count + (at - cursor) + (newCount == 0 ? 0 : 1);
            if (newStart != expectedNewStart)
            {
                throw new PatchException($"Line {headerLine} of the diff (hunk {hunks}) says its new lines start at line {newStart}, but they would start at line {expectedNewStart}.");
            }

            output.AddRange(source.Skip(cursor).Take(at - cursor));
            cursor = at;
            i++;
            int seenOld = 0, seenNew = 0;
            while (i < patch.Count && (seenOld < oldCount || seenNew < newCount || (i < patch.Count && patch[i].StartsWith('\\'))))
            {
                var body = patch[i];
                if (body.StartsWith("@@", StringComparison.Ordinal))
                {
                    // The next hunk begins before this one has all the lines it announced.
                    break;
                }

                if (body.StartsWith('\\'))
                {
                    // "\ No newline at end of file" follows the last line of the side(s) it applies to: after a
                    // context or added line the new text ends without a newline; after a removed line only the old did.
                    newEndsWithNewline = lastKind == '-';
                    i++;
                    continue;
                }

                var kind = body.Length == 0 ? ' ' : body[0];
                var text = body.Length == 0 ? "" : body[1..];
                lastKind = kind;
                switch (kind)
                {
                    case ' ':
                        Expect(source, cursor, text, hunks, oldStart + seenOld, i + 1);
                        output.Add(text);
                        cursor++;
                        seenOld++;
                        seenNew++;
                        break;
                    case '-':
                        Expect(source, cursor, text, hunks, oldStart + seenOld, i + 1);
                        cursor++;
                        seenOld++;
                        break;
                    case '+':
                        output.Add(text);
                        seenNew++;
                        break;
                    default:
                        throw new PatchException($"Line {i + 1} of the diff (in hunk {hunks}) starts with '{kind}', not ' ', '-' or '+'.");
                }

                i++;
            }

            if (seenOld != oldCount || seenNew != newCount)
            {
                throw new PatchException($"Line {headerLine} of the diff (hunk {hunks}) says {oldCount} old and {newCount} new lines but the hunk has {seenOld} and {seenNew}.");
            }
        }

        if (hunks == 0)
        {
            throw new PatchException("The diff has no hunks ('@@ -a,b +c,d @@').");
        }

        output.AddRange(source.Skip(cursor));
        var result = string.Join(newline, output);
        return newEndsWithNewline ?? endsWithNewline ? result + newline : result;
    }

    private static void Expect(List<string> source, int index, string expected, int hunk, int line, int diffLine)
    {
        if (index >= source.Count)
        {
            throw new PatchException($"Line {diffLine} of the diff (hunk {hunk}) expects line {line} ('{Shorten(expected)}') but the source has only {source.Count} lines.");
        }

        if (!string.Equals(source[index].TrimEnd('\r'), expected.TrimEnd('\r'), StringComparison.Ordinal))
        {
            throw new PatchException($"Line {diffLine} of the diff (hunk {hunk}) does not apply at line {line}: expected '{Shorten(expected)}', found '{Shorten(source[index])}'.");
        }
    }

    private static int Number(Group group, int line, string text)
    {
        // Digits only (the pattern), but any number of them: a value past int is refused here, not by an overflow.
        if (!int.TryParse(group.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > MaxLineNumber)
        {
            throw new PatchException($"Line {line} of the diff has a line number or count out of range (at most {MaxLineNumber:N0}): '{Shorten(text)}'.");
        }

        return value;
    }

    private static List<string> SplitLines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    [GeneratedRegex(@"^@@ -(?<os>[0-9]+)(,(?<oc>[0-9]+))? \+(?<ns>[0-9]+)(,(?<nc>[0-9]+))? @@", RegexOptions.CultureInvariant)]
    private static partial Regex HunkHeader();
}
