using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MemoryFabric.VectorIndex.Storage;

/// <summary>
/// The float32 vectors used for exact re-ranking and exact scans, one per slot, append-only. They live either in
/// pinned managed chunks (<see cref="VectorStorage.InMemory"/>) or in memory-mapped chunks of a side file
/// (<see cref="VectorStorage.MappedFile"/>), optionally preceded by a read-only region mapped from a snapshot. Chunks
/// never move, so readers can hold pointers while the single writer appends. With <see cref="VectorStorage.Quantized"/>
/// it holds nothing: writes are dropped and the shard reads vectors through <see cref="ShardState.FullVector"/>.
/// </summary>
internal sealed unsafe class FullVectorStore : IDisposable
{
    private const long TargetChunkBytes = 2L << 20;

    private readonly int _dimensions;
    private readonly VectorStorage _storage;
    private readonly string? _directory;
    private readonly int _chunkShift;
    private readonly int _chunkMask;
    private readonly List<IDisposable> _resources = [];
    private readonly List<float[]> _managedChunks = [];
    private nint[] _pointers = [];
    private int _writableFromChunk;
    private FileStream? _sideFile;
    private string? _sideFilePath;
    private long _residentBytes;
    private long _mappedBytes;
    private bool _disposed;

    /// <summary>Creates an empty store.</summary>
    /// <param name="dimensions">The dimensions.</param>
    /// <param name="storage">Where chunks live.</param>
    /// <param name="directory">The side file's directory (mapped storage); the temporary directory when null.</param>
    public FullVectorStore(int dimensions, VectorStorage storage, string? directory)
    {
        _dimensions = dimensions;
        _storage = storage;
        _directory = directory;
        var rowBytes = (long)dimensions * sizeof(float);
        var shift = 10;
        while (shift > 6 && (rowBytes << shift) > TargetChunkBytes)
        {
            shift--;
        }

        _chunkShift = shift;
        _chunkMask = (1 << shift) - 1;
    }

    /// <summary>Slots per chunk.</summary>
    public int ChunkSlots => 1 << _chunkShift;

    /// <summary>Bytes of vectors held in process memory (managed chunks).</summary>
    public long ResidentBytes => _residentBytes;

    /// <summary>Bytes of vectors in memory-mapped files (paged in on demand by the operating system).</summary>
    public long MappedBytes => _mappedBytes;

    /// <summary>The float32 vector of a slot.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>A pointer to <c>dimensions</c> floats.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Pointer(int slot)
    {
        var chunk = (float*)Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_pointers), slot >> _chunkShift);
        return chunk + ((nint)(slot & _chunkMask) * _dimensions);
    }

    /// <summary>The float32 vector of a slot as a span.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The span.</returns>
    public ReadOnlySpan<float> Vector(int slot) => new(Pointer(slot), _dimensions);

    /// <summary>Writes a slot's vector (writer only), adding a chunk when needed.</summary>
    /// <param name="slot">The slot (the next one, or any already allocated writable slot).</param>
    /// <param name="vector">The vector.</param>
    public void Write(int slot, ReadOnlySpan<float> vector)
    {
        if (_storage == VectorStorage.Quantized)
        {
            return; // the int8 codes are the only copy
        }

        var chunk = slot >> _chunkShift;
        while (chunk >= _pointers.Length)
        {
            AddChunk();
        }

        if (chunk < _writableFromChunk)
        {
            throw new InvalidOperationException("The slot lies in the read-only region mapped from a snapshot.");
        }

        vector.CopyTo(new Span<float>(Pointer(slot), _dimensions));
    }

    /// <summary>
    /// Uses a region of a snapshot file as the vectors of slots [0, <paramref name="slots"/>): whole chunks are mapped
    /// in place (read-only); a partial last chunk is copied into the first writable chunk so that appends continue.
    /// Must be called on an empty store.
    /// </summary>
    /// <param name="file">The mapped snapshot; the store owns it from now on.</param>
    /// <param name="offset">The region's offset in the file.</param>
    /// <param name="slots">The number of vectors in the region.</param>
    public void AttachReadOnly(MemoryMappedFile file, long offset, int slots)
    {
        if (_pointers.Length != 0)
        {
            throw new InvalidOperationException("The store is not empty.");
        }

        _resources.Add(file);

        var rowBytes = (long)_dimensions * sizeof(float);
        var fullChunks = slots >> _chunkShift;
        if (fullChunks > 0)
        {
            var length = ((long)fullChunks << _chunkShift) * rowBytes;
            var view = file.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
            _resources.Add(view);
            byte* basePointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePointer);
            _resources.Add(new PointerRelease(view));
            basePointer += view.PointerOffset;
            var pointers = new nint[fullChunks];
            for (var c = 0; c < fullChunks; c++)
            {
                pointers[c] = (nint)(basePointer + ((long)c << _chunkShift) * rowBytes);
            }

            _mappedBytes += length;
            _pointers = pointers;
            _writableFromChunk = fullChunks;
        }

        var rest = slots & _chunkMask;
        if (rest > 0)
        {
            var restOffset = offset + ((long)fullChunks << _chunkShift) * rowBytes;
            using var view = file.CreateViewAccessor(restOffset, rest * rowBytes, MemoryMappedFileAccess.Read);
            byte* source = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref source);
            try
            {
                AddChunk();
                Buffer.MemoryCopy(source + view.PointerOffset, Pointer(fullChunks << _chunkShift), rest * rowBytes, rest * rowBytes);
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (var i = _resources.Count - 1; i >= 0; i--)
        {
            _resources[i].Dispose();
        }

        _resources.Clear();
        _managedChunks.Clear();
        _pointers = [];
        _sideFile?.Dispose();
        if (_sideFilePath is not null)
        {
            try
            {
                File.Delete(_sideFilePath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the file is a cache of vectors that the snapshot and the journal hold durably.
            }
        }
    }

    private void AddChunk()
    {
        var chunkFloats = (long)ChunkSlots * _dimensions;
        nint pointer;
        if (_storage == VectorStorage.InMemory)
        {
            var array = GC.AllocateUninitializedArray<float>(checked((int)chunkFloats), pinned: true);
            _managedChunks.Add(array);
            pointer = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            _residentBytes += chunkFloats * sizeof(float);
        }
        else
        {
            pointer = MapSideFileChunk(chunkFloats * sizeof(float));
            _mappedBytes += chunkFloats * sizeof(float);
        }

        var pointers = new nint[_pointers.Length + 1];
        Array.Copy(_pointers, pointers, _pointers.Length);
        pointers[^1] = pointer;
        Volatile.Write(ref _pointers, pointers);
    }

    private nint MapSideFileChunk(long bytes)
    {
        if (_sideFile is null)
        {
            var directory = _directory ?? Path.Combine(Path.GetTempPath(), "memoryfabric-vectors");
            Directory.CreateDirectory(directory);
            _sideFilePath = Path.Combine(directory, $"shard-{Guid.NewGuid():N}.f32");
            _sideFile = new FileStream(_sideFilePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.None);
        }

        var offset = _sideFile.Length;
        _sideFile.SetLength(offset + bytes);
        var map = MemoryMappedFile.CreateFromFile(_sideFile, null, offset + bytes, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        _resources.Add(map);
        var view = map.CreateViewAccessor(offset, bytes, MemoryMappedFileAccess.ReadWrite);
        _resources.Add(view);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _resources.Add(new PointerRelease(view));
        return (nint)(pointer + view.PointerOffset);
    }

    private sealed class PointerRelease(MemoryMappedViewAccessor view) : IDisposable
    {
        public void Dispose() => view.SafeMemoryMappedViewHandle.ReleasePointer();
    }
}
