using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.AI;

namespace MemoryFabric.Cli.Commands.Admin;

/// <summary>Rewrites an agent's snapshot at the current format version (<see cref="AgentMemory.SnapshotFormatVersion"/>):
/// loaded into a fresh memory and written again. The memory is given an embedder that only names the snapshot's own
/// embedding model and dimension (and is never called), so the stored vectors are kept as they are and the snapshot
/// keeps saying which model made them.</summary>
internal static class SnapshotUpgrade
{
    private const int HeaderLength = 24;

    /// <summary>The format version in a snapshot's header, or <see langword="null"/> when the data is not an agent
    /// snapshot.</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <returns>The version.</returns>
    public static int? FormatVersion(ReadOnlySpan<byte> snapshot) =>
        snapshot.Length >= HeaderLength && snapshot[..4].SequenceEqual("MFAM"u8) ? BinaryPrimitives.ReadUInt16LittleEndian(snapshot[4..]) : null;

    /// <summary>Rewrites a snapshot at the current format.</summary>
    /// <param name="snapshot">The snapshot (any version this build reads).</param>
    /// <returns>The snapshot at the current format.</returns>
    /// <exception cref="InvalidDataException">The snapshot cannot be read.</exception>
    public static byte[] Rewrite(ReadOnlySpan<byte> snapshot)
    {
        var (modelId, dimensions) = ReadEmbedder(snapshot);
        using var embedder = new StoredModelEmbedder(modelId, dimensions);
        var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, TimeProvider.System, embedder);
        memory.RestoreSnapshot(snapshot);
        var buffer = new ArrayBufferWriter<byte>(snapshot.Length + 1024);
        memory.WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The embedding model and dimension a snapshot's meta section names (the first fields of the payload:
    /// the section tag, the sequence, the participants, the model, the dimension).</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <returns>The model (null when none is named) and the dimension (0 without vectors).</returns>
    /// <exception cref="InvalidDataException">The meta section cannot be read.</exception>
    public static (string? ModelId, int Dimensions) ReadEmbedder(ReadOnlySpan<byte> snapshot)
    {
        if (FormatVersion(snapshot) is null)
        {
            throw new InvalidDataException("Not an agent snapshot (no \"MFAM\" header).");
        }

        var reader = new MetaReader(snapshot[HeaderLength..]);
        if (reader.Byte() != 1)
        {
            throw new InvalidDataException("The snapshot does not open with its meta section.");
        }

        reader.VarUInt(); // the sequence (zig-zag varint)
        var participants = reader.VarUInt();
        for (ulong i = 0; i < participants; i++)
        {
            reader.Ref();
        }

        var model = reader.Ref();
        var dimensions = reader.VarUInt();
        return dimensions > int.MaxValue ? throw new InvalidDataException("The snapshot's dimension is out of range.") : (model, (int)dimensions);
    }

    // The shared-string references of PayloadWriter.WriteRef: 0 = null, 1 = a new string inline, n >= 2 = the (n-2)th.
    private ref struct MetaReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private readonly List<string> _shared = [];
        private int _position;

        public byte Byte() => _position < _data.Length ? _data[_position++] : throw Truncated();

        public ulong VarUInt()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("A varint in the snapshot's meta section is too long.");
        }

        public string? Ref()
        {
            var tag = VarUInt();
            switch (tag)
            {
                case 0:
                    return null;
                case 1:
                    var length = VarUInt();
                    if (length > (ulong)(_data.Length - _position))
                    {
                        throw Truncated();
                    }

                    var value = Encoding.UTF8.GetString(_data.Slice(_position, (int)length));
                    _position += (int)length;
                    _shared.Add(value);
                    return value;
                default:
                    return tag - 2 < (ulong)_shared.Count ? _shared[(int)(tag - 2)] : throw new InvalidDataException("A shared string reference in the snapshot is out of range.");
            }
        }

        private static InvalidDataException Truncated() => new("The snapshot's meta section is truncated.");
    }

    // Names the snapshot's model so that its vectors are kept; a migration never embeds.
    private sealed class StoredModelEmbedder(string? modelId, int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly EmbeddingGeneratorMetadata _metadata = new("memfab-migrate", null, modelId, dimensions > 0 ? dimensions : null);

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A snapshot migration does not embed.");

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }
}
