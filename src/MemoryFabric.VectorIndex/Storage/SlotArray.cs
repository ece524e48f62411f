using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MemoryFabric.VectorIndex.Storage;

/// <summary>
/// A growable array of fixed-size records, one per slot, stored in chunks of <see cref="ChunkSlots"/> slots on the
/// pinned object heap. Growing adds chunks and never moves a record, so a reader may keep a pointer while the single
/// writer appends; the chunk table is republished atomically. Slack is at most one chunk.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed unsafe class SlotArray<T>
    where T : unmanaged
{
    /// <summary>log2 of the slots per chunk.</summary>
    public const int ChunkShift = 10;

    /// <summary>The slots per chunk.</summary>
    public const int ChunkSlots = 1 << ChunkShift;

    private const int ChunkMask = ChunkSlots - 1;

    private ChunkTable _table = new([], []);

    /// <summary>Creates the array.</summary>
    /// <param name="stride">The number of <typeparamref name="T"/> elements per slot.</param>
    public SlotArray(int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        Stride = stride;
    }

    /// <summary>Elements per slot.</summary>
    public int Stride { get; }

    /// <summary>The slots allocated.</summary>
    public int Capacity => Volatile.Read(ref _table).Arrays.Length * ChunkSlots;

    /// <summary>The bytes allocated.</summary>
    public long AllocatedBytes => (long)Capacity * Stride * sizeof(T);

    /// <summary>Makes room for <paramref name="slots"/> slots (writer only).</summary>
    /// <param name="slots">The number of slots needed.</param>
    public void EnsureCapacity(int slots)
    {
        var table = _table;
        if (slots <= table.Arrays.Length * ChunkSlots)
        {
            return;
        }

        var chunks = (int)(((long)slots + ChunkMask) >> ChunkShift);
        var arrays = new T[chunks][];
        var pointers = new nint[chunks];
        Array.Copy(table.Arrays, arrays, table.Arrays.Length);
        Array.Copy(table.Pointers, pointers, table.Pointers.Length);
        for (var c = table.Arrays.Length; c < chunks; c++)
        {
            arrays[c] = GC.AllocateArray<T>(ChunkSlots * Stride, pinned: true);
            pointers[c] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(arrays[c]));
        }

        Volatile.Write(ref _table, new ChunkTable(arrays, pointers));
    }

    /// <summary>A pointer to a slot's first element.</summary>
    /// <param name="slot">The slot (below <see cref="Capacity"/>).</param>
    /// <returns>The pointer.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* Pointer(int slot)
    {
        var pointers = _table.Pointers;
        var chunk = (T*)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(pointers), slot >> ChunkShift);
        return chunk + ((nint)(slot & ChunkMask) * Stride);
    }

    /// <summary>A reference to a slot's first element.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The reference.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T At(int slot) => ref Unsafe.AsRef<T>(Pointer(slot));

    /// <summary>A span over a slot's elements.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The span.</returns>
    public Span<T> Span(int slot) => new(Pointer(slot), Stride);

    /// <summary>The elements of slots [0, <paramref name="count"/>) as consecutive spans, one per chunk.</summary>
    /// <param name="count">The number of slots.</param>
    /// <returns>The spans' memory, chunk by chunk.</returns>
    public IEnumerable<Memory<T>> Chunks(int count)
    {
        var table = Volatile.Read(ref _table);
        for (var start = 0; start < count; start += ChunkSlots)
        {
            var slots = Math.Min(ChunkSlots, count - start);
            yield return table.Arrays[start >> ChunkShift].AsMemory(0, slots * Stride);
        }
    }

    private sealed record ChunkTable(T[][] Arrays, nint[] Pointers);
}
