using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using MemoryFabric.VectorIndex.Snapshots;

namespace MemoryFabric.VectorIndex.Storage;

/// <summary>One slot's key: where its UTF-8 bytes are in the arena, and its hash.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KeyEntry
{
    /// <summary>The arena offset of the key's 2-byte length prefix.</summary>
    public int Offset;

    /// <summary>The key's hash (<see cref="KeyTable.Hash"/>).</summary>
    public int Hash;
}

/// <summary>
/// The keys of a shard's slots in a compact form: UTF-8 bytes in an append-only arena of 64 KiB chunks, an 8-byte entry
/// per slot, and an open-addressing table (linear probing, load at most 0.7) from key to its newest slot. Deleted and
/// replaced slots keep their entries (the item's flags say whether a slot is live) until compaction. Written by the
/// single writer; lookups by readers are safe (arena and entries are append-only, bucket writes are single ints, a
/// resized table is published whole).
/// </summary>
internal sealed class KeyTable
{
    /// <summary>The longest key in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 2048;

    /// <summary>log2 of an arena chunk's size.</summary>
    public const int ArenaChunkShift = 16;

    private const int ArenaChunkBytes = 1 << ArenaChunkShift;
    private const ulong HashSeed = 0x4D46_5368_6172_644BUL;

    private readonly SlotArray<KeyEntry> _entries = new(1);
    private byte[][] _arena = [];
    private int _arenaUsed;
    private int[] _buckets = new int[16];
    private int _occupied;

    /// <summary>The arena bytes in use (the snapshot section length).</summary>
    public int ArenaBytes => _arenaUsed;

    /// <summary>The bytes allocated: arena chunks, entries and buckets.</summary>
    public long AllocatedBytes => ((long)_arena.Length * ArenaChunkBytes) + _entries.AllocatedBytes + (_buckets.Length * 4L);

    /// <summary>The stable hash of a key's UTF-8 bytes used by this table.</summary>
    /// <param name="utf8">The bytes.</param>
    /// <returns>The hash.</returns>
    public static int Hash(ReadOnlySpan<byte> utf8) => (int)XxHash64.Hash(utf8, HashSeed);

    /// <summary>Encodes a key, checking its length.</summary>
    /// <param name="key">The key.</param>
    /// <param name="buffer">A buffer of at least <see cref="MaxKeyBytes"/> bytes.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException">The key is empty or too long.</exception>
    public static int Encode(string key, Span<byte> buffer)
    {
        if (key.Length == 0)
        {
            throw new ArgumentException("The key is empty.", nameof(key));
        }

        if (Encoding.UTF8.GetMaxByteCount(key.Length) > buffer.Length && Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            throw new ArgumentException($"The key is longer than {MaxKeyBytes} UTF-8 bytes.", nameof(key));
        }

        return Encoding.UTF8.GetBytes(key, buffer);
    }

    /// <summary>Makes room for the entries of <paramref name="slots"/> slots (writer only).</summary>
    /// <param name="slots">The slots.</param>
    public void EnsureCapacity(int slots) => _entries.EnsureCapacity(slots);

    /// <summary>The newest slot holding a key, or -1.</summary>
    /// <param name="key">The key.</param>
    /// <param name="limit">Slots at or above this are ignored (not yet published).</param>
    /// <returns>The slot or -1.</returns>
    public int Find(string key, int limit)
    {
        Span<byte> buffer = stackalloc byte[MaxKeyBytes];
        int length;
        try
        {
            length = Encode(key, buffer);
        }
        catch (ArgumentException)
        {
            return -1;
        }

        var utf8 = buffer[..length];
        return Find(utf8, Hash(utf8), limit);
    }

    /// <summary>The newest slot holding a key, or -1.</summary>
    /// <param name="utf8">The key's bytes.</param>
    /// <param name="hash">Its hash.</param>
    /// <param name="limit">Slots at or above this are ignored.</param>
    /// <returns>The slot or -1.</returns>
    public int Find(ReadOnlySpan<byte> utf8, int hash, int limit)
    {
        var buckets = Volatile.Read(ref _buckets);
        var mask = buckets.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var value = Volatile.Read(ref buckets[i]);
            if (value == 0)
            {
                return -1;
            }

            var slot = value - 1;
            if (slot < limit && _entries.At(slot).Hash == hash && KeyBytes(slot).SequenceEqual(utf8))
            {
                return slot;
            }
        }
    }

    /// <summary>Stores a slot's key in the arena and its entry (writer only; the slot is not yet findable).</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="utf8">The key's bytes.</param>
    /// <param name="hash">Its hash.</param>
    public void Write(int slot, ReadOnlySpan<byte> utf8, int hash)
    {
        var needed = 2 + utf8.Length;
        var chunk = _arenaUsed >> ArenaChunkShift;
        var offset = _arenaUsed & (ArenaChunkBytes - 1);
        if (chunk == _arena.Length || offset + needed > ArenaChunkBytes)
        {
            if (chunk < _arena.Length)
            {
                chunk++;
                offset = 0;
            }

            if (chunk == _arena.Length)
            {
                var arena = new byte[chunk + 1][];
                Array.Copy(_arena, arena, chunk);
                arena[chunk] = new byte[ArenaChunkBytes];
                Volatile.Write(ref _arena, arena);
            }
        }

        var target = _arena[chunk].AsSpan(offset);
        BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)utf8.Length);
        utf8.CopyTo(target[2..]);
        _entries.At(slot) = new KeyEntry { Offset = (chunk << ArenaChunkShift) | offset, Hash = hash };
        _arenaUsed = (chunk << ArenaChunkShift) + offset + needed;
    }

    /// <summary>Points the key's bucket at <paramref name="slot"/> (writer only; call after the slot is published).</summary>
    /// <param name="slot">The slot whose key is mapped.</param>
    /// <param name="limit">The published slot count.</param>
    public void Map(int slot, int limit)
    {
        if ((_occupied + 1) * 10L > _buckets.Length * 7L)
        {
            Grow();
        }

        var hash = _entries.At(slot).Hash;
        var utf8 = KeyBytes(slot);
        var buckets = _buckets;
        var mask = buckets.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var value = buckets[i];
            if (value == 0)
            {
                Volatile.Write(ref buckets[i], slot + 1);
                _occupied++;
                return;
            }

            var other = value - 1;
            if (other < limit && _entries.At(other).Hash == hash && KeyBytes(other).SequenceEqual(utf8))
            {
                Volatile.Write(ref buckets[i], slot + 1);
                return;
            }
        }
    }

    /// <summary>The UTF-8 bytes of a slot's key.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The bytes.</returns>
    public ReadOnlySpan<byte> KeyBytes(int slot)
    {
        var offset = _entries.At(slot).Offset;
        var chunk = Volatile.Read(ref _arena)[offset >> ArenaChunkShift].AsSpan(offset & (ArenaChunkBytes - 1));
        var length = BinaryPrimitives.ReadUInt16LittleEndian(chunk);
        return chunk.Slice(2, length);
    }

    /// <summary>A slot's key.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The key.</returns>
    public string Key(int slot) => Encoding.UTF8.GetString(KeyBytes(slot));

    /// <summary>A slot's key hash.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The hash.</returns>
    public int SlotHash(int slot) => _entries.At(slot).Hash;

    /// <summary>Writes the arena (snapshot).</summary>
    /// <param name="write">Receives the arena bytes in order.</param>
    public void WriteArena(Action<ReadOnlySpan<byte>> write)
    {
        for (var start = 0; start < _arenaUsed; start += ArenaChunkBytes)
        {
            write(_arena[start >> ArenaChunkShift].AsSpan(0, Math.Min(ArenaChunkBytes, _arenaUsed - start)));
        }
    }

    /// <summary>The entries of slots [0, count) as spans (snapshot).</summary>
    /// <param name="count">The slots.</param>
    /// <returns>The chunks.</returns>
    public IEnumerable<Memory<KeyEntry>> EntryChunks(int count) => _entries.Chunks(count);

    /// <summary>Restores the arena from a snapshot (on an empty table).</summary>
    /// <param name="arenaBytes">The arena's length.</param>
    /// <param name="read">Fills a span with the next arena bytes.</param>
    public void RestoreArena(int arenaBytes, Action<Span<byte>> read)
    {
        var chunks = (int)(((long)arenaBytes + ArenaChunkBytes - 1) >> ArenaChunkShift);
        var arena = new byte[chunks][];
        for (var c = 0; c < chunks; c++)
        {
            arena[c] = new byte[ArenaChunkBytes];
            read(arena[c].AsSpan(0, Math.Min(ArenaChunkBytes, arenaBytes - (c << ArenaChunkShift))));
        }

        _arena = arena;
        _arenaUsed = arenaBytes;
    }

    /// <summary>The entries of slots [0, count) to fill from a snapshot.</summary>
    /// <param name="count">The slots.</param>
    /// <returns>The chunks.</returns>
    public IEnumerable<Memory<KeyEntry>> RestoreEntries(int count)
    {
        _entries.EnsureCapacity(count);
        return _entries.Chunks(count);
    }

    /// <summary>Validates every restored entry and maps every key to its newest slot.</summary>
    /// <param name="count">The slots.</param>
    /// <exception cref="InvalidDataException">An entry points outside the arena or its hash is wrong.</exception>
    public void RebuildIndex(int count)
    {
        var arenaBytes = _arenaUsed;
        for (var slot = 0; slot < count; slot++)
        {
            var entry = _entries.At(slot);
            var inChunk = entry.Offset & (ArenaChunkBytes - 1);
            if (entry.Offset < 0 || entry.Offset > arenaBytes - 2 || inChunk > ArenaChunkBytes - 2)
            {
                throw new InvalidDataException($"the key of slot {slot} points outside the key arena");
            }

            var length = BinaryPrimitives.ReadUInt16LittleEndian(_arena[entry.Offset >> ArenaChunkShift].AsSpan(inChunk));
            if (length == 0 || length > MaxKeyBytes || entry.Offset + 2 + length > arenaBytes || inChunk + 2 + length > ArenaChunkBytes)
            {
                throw new InvalidDataException($"the key of slot {slot} has an invalid length");
            }

            if (Hash(KeyBytes(slot)) != entry.Hash)
            {
                throw new InvalidDataException($"the key of slot {slot} does not match its hash");
            }
        }

        var size = 16;
        while (size * 7L < (count * 10L) + 10)
        {
            size *= 2;
        }

        _buckets = new int[size];
        _occupied = 0;
        for (var slot = 0; slot < count; slot++)
        {
            Map(slot, count);
        }
    }

    private void Grow()
    {
        var old = _buckets;
        var buckets = new int[old.Length * 2];
        var mask = buckets.Length - 1;
        foreach (var value in old)
        {
            if (value == 0)
            {
                continue;
            }

            var hash = _entries.At(value - 1).Hash;
            var i = hash & mask;
            while (buckets[i] != 0)
            {
                i = (i + 1) & mask;
            }

            buckets[i] = value;
        }

        Volatile.Write(ref _buckets, buckets);
    }
}
