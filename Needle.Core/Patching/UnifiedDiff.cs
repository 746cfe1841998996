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
                throw new PatchException($"Line {i + 1} of the diff is not a valid hunk header: '{Shorten(line)}'.");
            }

            hunks++;
            var oldStart = int.Parse(header.Groups["os"].Value, CultureInfo.InvariantCulture);
            var oldCount = header.Groups["oc"].Success ? int.Parse(header.Groups["oc"].Value, CultureInfo.InvariantCulture) : 1;
            var newCount = header.Groups["nc"].Success ? int.Parse(header.Groups["nc"].Value, CultureInfo.InvariantCulture) : 1;

            // A hunk that adds to an empty range starts after line oldStart; otherwise at line oldStart (1-based).
            var at = oldCount == 0 ? oldStart : oldStart - 1;
            if (at < cursor || at > source.Count)
            {
                throw new PatchException($"Hunk {hunks} starts at line {oldStart}, which is {(at < cursor ? "before the end of the previous hunk" : "past the end of the source")}.");
            }

            output.AddRange(source.Skip(cursor).Take(at - cursor));
            cursor = at;
            i++;
            int seenOld = 0, seenNew = 0;
            while (i < patch.Count && (seenOld < oldCount || seenNew < newCount || (i < patch.Count && patch[i].StartsWith('\\'))))
            {
                var body = patch[i];
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
                        Expect(source, cursor, text, hunks, oldStart + seenOld);
                        output.Add(text);
                        cursor++;
                        seenOld++;
                        seenNew++;
                        break;
                    case '-':
                        Expect(source, cursor, text, hunks, oldStart + seenOld);
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
                throw new PatchException($"Hunk {hunks} says {oldCount} old and {newCount} new lines but has {seenOld} and {seenNew}.");
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

    private static void Expect(List<string> source, int index, string expected, int hunk, int line)
    {
        if (index >= source.Count)
        {
            throw new PatchException($"Hunk {hunk} expects line {line} ('{Shorten(expected)}') but the source has only {source.Count} lines.");
        }

        if (!string.Equals(source[index].TrimEnd('\r'), expected.TrimEnd('\r'), StringComparison.Ordinal))
        {
            throw new PatchException($"Hunk {hunk} does not apply at line {line}: expected '{Shorten(expected)}', found '{Shorten(source[index])}'.");
        }
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

    [GeneratedRegex(@"^@@ -(?<os>\d+)(,(?<oc>\d+))? \+(?<ns>\d+)(,(?<nc>\d+))? @@", RegexOptions.CultureInvariant)]
    private static partial Regex HunkHeader();
}
