using System.Collections.Concurrent;

namespace MemoryFabric.VectorIndex.Storage;

/// <summary>
/// Maps the metadata strings of one kind (agent ids or item kinds) to small integer ids, id 0 being "none", and keeps
/// the number of live items per id for selectivity estimates. Written by the single writer, read by any thread.
/// </summary>
internal sealed class StringInterner
{
    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private string?[] _names = new string?[4];
    private int[] _liveCounts = new int[4];
    private int _count = 1;

    /// <summary>The number of ids, including 0 ("none").</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The id of a value, adding it when new (writer only).</summary>
    /// <param name="value">The value; <see langword="null"/> gives 0.</param>
    /// <returns>The id.</returns>
    public int Intern(string? value)
    {
        if (value is null)
        {
            return 0;
        }

        if (_ids.TryGetValue(value, out var id))
        {
            return id;
        }

        id = _count;
        if (id == _names.Length)
        {
            var names = new string?[id * 2];
            Array.Copy(_names, names, id);
            var counts = new int[id * 2];
            Array.Copy(_liveCounts, counts, id);
            Volatile.Write(ref _liveCounts, counts);
            Volatile.Write(ref _names, names);
        }

        _names[id] = value;
        Volatile.Write(ref _count, id + 1);
        _ids[value] = id;
        return id;
    }

    /// <summary>The id of a value, or -1 when no item ever had it.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The id or -1.</returns>
    public int Find(string value) => _ids.TryGetValue(value, out var id) ? id : -1;

    /// <summary>The value of an id.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The value; <see langword="null"/> for 0.</returns>
    public string? Name(int id) => Volatile.Read(ref _names)[id];

    /// <summary>The number of live items with an id (racy for readers: an estimate).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The count.</returns>
    public int LiveCount(int id)
    {
        var counts = Volatile.Read(ref _liveCounts);
        return (uint)id < (uint)counts.Length ? Volatile.Read(ref counts[id]) : 0;
    }

    /// <summary>Adjusts the live count of an id (writer only).</summary>
    /// <param name="id">The id.</param>
    /// <param name="delta">+1 or -1.</param>
    public void AddLive(int id, int delta) => Volatile.Write(ref _liveCounts[id], _liveCounts[id] + delta);

    /// <summary>The values of ids 1 to <see cref="Count"/> - 1, in id order.</summary>
    /// <returns>The values.</returns>
    public string[] Names()
    {
        var count = Count;
        var names = Volatile.Read(ref _names);
        var result = new string[count - 1];
        for (var i = 1; i < count; i++)
        {
            result[i - 1] = names[i]!;
        }

        return result;
    }

    /// <summary>The bytes held (approximate: names, id map and counts).</summary>
    /// <returns>The bytes.</returns>
    public long AllocatedBytes()
    {
        long bytes = (_names.Length * 8L) + (_liveCounts.Length * 4L);
        for (var i = 1; i < Count; i++)
        {
            bytes += 24 + (2L * _names[i]!.Length) + 48;
        }

        return bytes;
    }
}
