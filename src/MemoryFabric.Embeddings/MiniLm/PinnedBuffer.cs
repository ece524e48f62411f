using System.Runtime.CompilerServices;

namespace MemoryFabric.Embeddings.MiniLm;

/// <summary>
/// A 64-byte-aligned buffer in a pinned managed array (pinned object heap): it never moves, so kernels can
/// hold raw pointers into it, and it is reclaimed by the GC like any array, with no native memory to free.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private const int Alignment = 64;

    // Kept only so the pinned array stays alive as long as this buffer.
    private readonly T[] _array;

    /// <summary>Allocates an uninitialized buffer.</summary>
    /// <param name="length">The number of elements.</param>
    public PinnedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var slack = (Alignment + sizeof(T) - 1) / sizeof(T);
        _array = GC.AllocateUninitializedArray<T>(length + slack, pinned: true);
        var address = (nint)Unsafe.AsPointer(ref _array[0]);
        var misalignment = (int)(address & (Alignment - 1));
        Pointer = (T*)(address + (misalignment == 0 ? 0 : Alignment - misalignment));
        Length = length;
    }

    /// <summary>The first element, 64-byte aligned.</summary>
    public T* Pointer { get; }

    /// <summary>The number of usable elements.</summary>
    public int Length { get; }

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => new(Pointer, Length);

    /// <summary>Copies <paramref name="values"/> into a new buffer.</summary>
    public static PinnedBuffer<T> From(ReadOnlySpan<T> values)
    {
        var buffer = new PinnedBuffer<T>(values.Length);
        values.CopyTo(buffer.Span);
        return buffer;
    }
}
