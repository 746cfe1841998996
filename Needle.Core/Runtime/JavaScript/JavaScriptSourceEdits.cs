using System.Text;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The load-time rewrite of a module's source (<see cref="JavaScriptKeyGuard"/>): insertions and small replacements,
/// applied from the end so an edit never moves a position still to come. Replacements keep the line breaks they
/// remove, so lines are unchanged. Nested edits compose: an opening at a node's start goes outside the openings of the
/// nodes inside it, a closing at its end outside their closings.
/// </summary>
internal sealed class JavaScriptSourceEdits
{
    private readonly List<Edit> _edits = [];

    public int Count => _edits.Count;

    /// <summary>Inserts <paramref name="text"/> before the node that starts at <paramref name="at"/>.</summary>
    public void Open(int at, string text) => _edits.Add(new Edit(at, 0, text, Kind.Open, _edits.Count));

    /// <summary>Inserts <paramref name="text"/> after the node that ends at <paramref name="at"/>.</summary>
    public void Close(int at, string text) => _edits.Add(new Edit(at, 0, text, Kind.Close, _edits.Count));

    /// <summary>Replaces <paramref name="length"/> characters (a token between two nodes) with <paramref name="text"/>.</summary>
    public void Replace(int at, int length, string text) => _edits.Add(new Edit(at, length, text, Kind.Replace, _edits.Count));

    /// <summary>The position of <paramref name="token"/> in the gap between two nodes, or -1.</summary>
    public static int Find(string source, int from, int to, string token) =>
        to <= from ? -1 : source.IndexOf(token, from, to - from, StringComparison.Ordinal);

    public string Apply(string source, string prelude)
    {
        // At one position, later insertions land to the left: replacements first, then openings inner to outer
        // (nodes are visited outer first), then closings outer to inner.
        var ordered = _edits
            .OrderByDescending(e => e.At)
            .ThenBy(e => e.Kind)
            .ThenBy(e => e.Kind == Kind.Open ? -e.Visit : e.Visit);
        var text = new StringBuilder(source);
        foreach (var edit in ordered)
        {
            if (edit.Length > 0)
            {
                var removed = source.AsSpan(edit.At, edit.Length);
                text.Remove(edit.At, edit.Length);
                text.Insert(edit.At, edit.Text + new string('\n', removed.Count('\n')));
            }
            else
            {
                text.Insert(edit.At, edit.Text);
            }
        }

        // At the start of the first line (of the second after a hashbang, which must stay first), so no line moves.
        var first = source.StartsWith("#!", StringComparison.Ordinal) ? source.IndexOf('\n', StringComparison.Ordinal) + 1 : 0;
        text.Insert(first, prelude + " ");
        return text.ToString();
    }

    private enum Kind
    {
        Replace,
        Open,
        Close,
    }

    private readonly record struct Edit(int At, int Length, string Text, Kind Kind, int Visit);
}
