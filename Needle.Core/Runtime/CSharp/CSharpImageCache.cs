using System.Diagnostics.CodeAnalysis;

namespace Needle.Runtime.CSharp;

/// <summary>The last compiled images by key, least recently used dropped first; images are bytes and warnings, never loaded types.</summary>
internal sealed class CSharpImageCache
{
    private readonly int _capacity;
    private readonly Dictionary<string, LinkedListNode<(string Key, CSharpImage Image)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, CSharpImage Image)> _order = new();

    public CSharpImageCache(int capacity)
    {
        _capacity = capacity;
    }

    public bool TryGet(string key, [NotNullWhen(true)] out CSharpImage? image)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                image = node.Value.Image;
                return true;
            }
        }

        image = null;
        return false;
    }

    public void Add(string key, CSharpImage image)
    {
        if (_capacity == 0)
        {
            return;
        }

        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                _order.Remove(existing);
            }

            _entries[key] = _order.AddFirst((key, image));
            while (_entries.Count > _capacity && _order.Last is { } last)
            {
                _order.RemoveLast();
                _entries.Remove(last.Value.Key);
            }
        }
    }
}
