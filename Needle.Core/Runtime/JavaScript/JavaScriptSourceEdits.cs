using System.Text;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The load-time rewrite of a module's source (<see cref="JavaScriptKeyGuard"/>): insertions and small replacements,
/// applied from the end so an edit never moves a position still to come. Replacements keep the line breaks they
/// remove, so lines are unchanged. Nested edits compose: an opening at a node's start goes outside the openings of the
/// nodes inside it, a closing at its end outside their closings. A moved range (<see cref="Move"/>) is replaced in
/// place and its text, with the edits inside it applied and its line breaks made spaces, is inserted elsewhere.
/// </summary>
internal sealed class JavaScriptSourceEdits
{
    private readonly List<Edit> _edits = [];
    private readonly List<(int From, int To)> _moves = [];

    public int Count => _edits.Count;

    /// <summary>Inserts <paramref name="text"/> before the node that starts at <paramref name="at"/>.</summary>
    public void Open(int at, string text) => _edits.Add(new Edit(at, 0, text, Kind.Open, _edits.Count));

    /// <summary>
    /// Inserts <paramref name="before"/>, the text of move <paramref name="moved"/> and <paramref name="after"/> before the
    /// node that starts at <paramref name="at"/>.
    /// </summary>
    public void Open(int at, string before, int moved, string after) =>
        _edits.Add(new Edit(at, 0, before, Kind.Open, _edits.Count, moved, after));

    /// <summary>Inserts <paramref name="text"/> after the node that ends at <paramref name="at"/>.</summary>
    public void Close(int at, string text) => _edits.Add(new Edit(at, 0, text, Kind.Close, _edits.Count));

    /// <summary>Replaces <paramref name="length"/> characters (a token between two nodes) with <paramref name="text"/>.</summary>
    public void Replace(int at, int length, string text) => _edits.Add(new Edit(at, length, text, Kind.Replace, _edits.Count));

    /// <summary>
    /// Replaces the node from <paramref name="from"/> to <paramref name="to"/> with <paramref name="replacement"/>, keeping
    /// its text (and the edits made inside it later) for an <see cref="Open(int, string, int, string)"/>; returns its number.
    /// </summary>
    public int Move(int from, int to, string replacement)
    {
        _moves.Add((from, to));
        Replace(from, to - from, replacement);
        return _moves.Count - 1;
    }

    /// <summary>Whether <paramref name="at"/> lies inside a range already moved.</summary>
    public bool InsideMove(int at) => _moves.Exists(m => at > m.From && at < m.To);

    /// <summary>The position of <paramref name="token"/> in the gap between two nodes, or -1.</summary>
    public static int Find(string source, int from, int to, string token) =>
        to <= from ? -1 : source.IndexOf(token, from, to - from, StringComparison.Ordinal);

    public string Apply(string source, string prelude)
    {
        var moved = _moves
            .Select(m =>
            {
                var part = new StringBuilder(source, m.From, m.To - m.From, m.To - m.From);
                ApplyTo(part, source, _edits.Where(e => e.At > m.From && e.At < m.To), m.From, []);
                return part.Replace('\n', ' ').Replace('\r', ' ').ToString();
            })
            .ToArray();
        var text = new StringBuilder(source);
        ApplyTo(text, source, _edits.Where(e => !InsideMove(e.At)), 0, moved);

        // At the start of the first line (of the second after a hashbang, which must stay first), so no line moves.
        var first = source.StartsWith("#!", StringComparison.Ordinal) ? source.IndexOf('\n', StringComparison.Ordinal) + 1 : 0;
        text.Insert(first, prelude + " ");
        return text.ToString();
    }

    private static void ApplyTo(StringBuilder text, string source, IEnumerable<Edit> edits, int offset, string[] moved)
    {
        // At one position, later insertions land to the left: replacements first, then openings inner to outer
        // (nodes are visited outer first), then closings outer to inner.
        var ordered = edits
            .OrderByDescending(e => e.At)
            .ThenBy(e => e.Kind)
            .ThenBy(e => e.Kind == Kind.Open ? -e.Visit : e.Visit);
        foreach (var edit in ordered)
        {
            var inserted = edit.Moved >= 0 ? edit.Text + moved[edit.Moved] + edit.After : edit.Text;
            if (edit.Length > 0)
            {
                var removed = source.AsSpan(edit.At, edit.Length);
                text.Remove(edit.At - offset, edit.Length);
                text.Insert(edit.At - offset, inserted + new string('\n', removed.Count('\n')));
            }
            else
            {
                text.Insert(edit.At - offset, inserted);
            }
        }
    }

    private enum Kind
    {
        Replace,
        Open,
        Close,
    }

    private readonly record struct Edit(int At, int Length, string Text, Kind Kind, int Visit, int Moved = -1, string After = "");
}
