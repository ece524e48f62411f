using System.Runtime.InteropServices;
using System.Text;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>Writes NumPy <c>.npy</c> files (format 1.0, little-endian, C order) for the Python reference.</summary>
public static class NpyFile
{
    /// <summary>Writes a 2-D float32 array.</summary>
    /// <param name="path">The file.</param>
    /// <param name="data">Row-major values.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    public static void WriteFloat32(string path, float[] data, int rows, int columns) =>
        Write(path, "<f4", rows, columns, MemoryMarshal.AsBytes(data.AsSpan(0, rows * columns)));

    /// <summary>Writes a 2-D int32 array.</summary>
    /// <param name="path">The file.</param>
    /// <param name="rows">The rows (all of <paramref name="columns"/> values).</param>
    /// <param name="columns">Columns.</param>
    public static void WriteInt32(string path, int[][] rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var flat = new int[rows.Length * columns];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i].AsSpan(0, Math.Min(columns, rows[i].Length)).CopyTo(flat.AsSpan(i * columns));
        }

        Write(path, "<i4", rows.Length, columns, MemoryMarshal.AsBytes(flat.AsSpan()));
    }

    private static void Write(string path, string type, int rows, int columns, ReadOnlySpan<byte> bytes)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The .npy writer assumes a little-endian machine.");
        }

        var header = $"{{'descr': '{type}', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (total % 64)) % 64)) + "\n";
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        var headerBytes = Encoding.ASCII.GetBytes(header);
        stream.Write([(byte)(headerBytes.Length & 0xFF), (byte)(headerBytes.Length >> 8)]);
        stream.Write(headerBytes);
        stream.Write(bytes);
    }
}
