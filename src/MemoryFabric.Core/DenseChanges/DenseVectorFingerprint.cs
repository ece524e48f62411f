using System.Runtime.InteropServices;
using MemoryFabric.Persistence;

namespace MemoryFabric.DenseChanges;

/// <summary>
/// A 64-bit fingerprint of a dense vector and its item's time, for a mirror that must tell whether it holds an item's
/// current vector (the tenant index's outbox ledger). It is taken over the vector's int8 codes, the form a snapshot
/// stores (<see cref="AgentMemory.CreateSnapshot"/>), not over its float bits: a memory restored from its snapshot
/// holds the decoded codes, which quantize to the same codes again, so it has the fingerprints the mirror
/// acknowledged before the restart and ships nothing again. Two vectors with the same codes point the same way to
/// within the quantization step (scores differ by about 1e-3 at most), which is the precision the snapshot keeps anyway.
/// A vector with a non-finite component (which a snapshot keeps as float32) is fingerprinted over its float bits.
/// </summary>
public static class DenseVectorFingerprint
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>Computes the fingerprint (64-bit FNV-1a over the codes, then the time's ticks).</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="timestamp">The item's time (a mirror filters on it).</param>
    /// <returns>The fingerprint.</returns>
    public static ulong Compute(ReadOnlySpan<float> vector, DateTimeOffset timestamp)
    {
        var hash = Offset;
        if (!VectorCodec.IsFinite(vector))
        {
            foreach (var word in MemoryMarshal.Cast<float, uint>(vector))
            {
                hash = (hash ^ word) * Prime;
            }
        }
        else
        {
            var length = VectorCodec.RecordLength(VectorEncoding.Int8, vector.Length);
            var record = length <= 4096 ? stackalloc byte[length] : new byte[length];
            VectorCodec.Encode(VectorEncoding.Int8, vector, record);
            foreach (var code in record[sizeof(float)..]) // the codes; the scale only says how long the vector is
            {
                hash = (hash ^ code) * Prime;
            }
        }

        return (hash ^ (ulong)timestamp.UtcTicks) * Prime;
    }
}
