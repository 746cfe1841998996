namespace Needle.Cli.Commands;

/// <summary>A unified line diff of two texts (longest common subsequence; function sources are small).</summary>
internal static class LineDiff
{
    private const int MaxLines = 3_000;

    public static IEnumerable<string> Unified(string oldName, string oldText, string newName, string newText, int context = 3)
    {
        var a = oldText.ReplaceLineEndings("\n").Split('\n');
        var b = newText.ReplaceLineEndings("\n").Split('\n');
        if (a.Length > MaxLines || b.Length > MaxLines)
        {
            throw new UsageException($"the sources have {a.Length} and {b.Length} lines; diff compares at most {MaxLines}.");
        }

        var edits = Edits(a, b);
        if (edits.All(e => e.Kind == ' '))
        {
            yield break;
        }

        yield return $"--- {oldName}";
        yield return $"+++ {newName}";
        var i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Kind == ' ')
            {
                i++;
                continue;
            }

            // A hunk: this change and the ones within 2 * context lines of it, with context around.
            var start = Math.Max(0, i - context);
            var end = i;
            while (end < edits.Count)
            {
                var next = end;
                while (next < edits.Count && edits[next].Kind == ' ')
                {
                    next++;
                }

                if (next == edits.Count || next - end > 2 * context)
                {
                    break;
                }

                end = next + 1;
            }

            end = Math.Min(edits.Count, end + context);
            var hunk = edits.GetRange(start, end - start);
            var oldStart = hunk[0].OldLine;
            var newStart = hunk[0].NewLine;
            yield return $"@@ -{oldStart + 1},{hunk.Count(e => e.Kind != '+')} +{newStart + 1},{hunk.Count(e => e.Kind != '-')} @@";
            foreach (var edit in hunk)
            {
                yield return edit.Kind + edit.Text;
            }

            i = end;
        }
    }

    private static List<Edit> Edits(string[] a, string[] b)
    {
        var lengths = new int[a.Length + 1, b.Length + 1];
        for (var x = a.Length - 1; x >= 0; x--)
        {
            for (var y = b.Length - 1; y >= 0; y--)
            {
                lengths[x, y] = a[x] == b[y] ? lengths[x + 1, y + 1] + 1 : Math.Max(lengths[x + 1, y], lengths[x, y + 1]);
            }
        }

        var edits = new List<Edit>();
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (i < a.Length && j < b.Length && a[i] == b[j])
            {
                edits.Add(new Edit(' ', a[i], i++, j++));
            }
            else if (j < b.Length && (i == a.Length || lengths[i, j + 1] >= lengths[i + 1, j]))
            {
                edits.Add(new Edit('+', b[j], i, j++));
            }
            else
            {
                edits.Add(new Edit('-', a[i], i++, j));
            }
        }

        return edits;
    }

    private readonly record struct Edit(char Kind, string Text, int OldLine, int NewLine);
}
