using System.Runtime.InteropServices;
using System.Text;

namespace MemoryFabric.Benchmarks.Index;

/// <summary>Writes NumPy <c>.npy</c> files (format 1.0, little-endian, C order) for the Python reference, and reads
/// them back (the worker process of <c>memfab bench index</c>).</summary>
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

    /// <summary>Reads a 2-D float32 array written by <see cref="WriteFloat32"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Row-major values and the shape.</returns>
    /// <exception cref="InvalidDataException">Not a 2-D little-endian float32 .npy file in C order.</exception>
    public static (float[] Data, int Rows, int Columns) ReadFloat32(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (rows, columns) = ReadHeader(stream, path, "<f4");
        var data = GC.AllocateUninitializedArray<float>(checked(rows * columns));
        stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        return (data, rows, columns);
    }

    /// <summary>Reads a 2-D int32 array written by <see cref="WriteInt32"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="InvalidDataException">Not a 2-D little-endian int32 .npy file in C order.</exception>
    public static int[][] ReadInt32(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (rows, columns) = ReadHeader(stream, path, "<i4");
        var result = new int[rows][];
        for (var i = 0; i < rows; i++)
        {
            result[i] = new int[columns];
            stream.ReadExactly(MemoryMarshal.AsBytes(result[i].AsSpan()));
        }

        return result;
    }

    // Reads the header and checks that exactly rows × columns 4-byte values follow (the data is read straight into
    // the caller's array: no copy that the index worker's baseline would have to shed).
    private static (int Rows, int Columns) ReadHeader(FileStream stream, string path, string type)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The .npy reader assumes a little-endian machine.");
        }

        Span<byte> prefix = stackalloc byte[10];
        if (stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false) < 10 || prefix[0] != 0x93 || prefix[1] != (byte)'N' || prefix[6] != 1)
        {
            throw new InvalidDataException($"{path}: not a version 1 .npy file");
        }

        var headerLength = prefix[8] | (prefix[9] << 8);
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, throwOnEndOfStream: false) < headerLength)
        {
            throw new InvalidDataException($"{path}: truncated header");
        }

        var header = Encoding.ASCII.GetString(headerBytes);
        var open = header.IndexOf("'shape': (", StringComparison.Ordinal);
        var close = open < 0 ? -1 : header.IndexOf(')', open);
        var dims = open < 0 || close < 0 ? [] : header[(open + 10)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!header.Contains($"'descr': '{type}'", StringComparison.Ordinal) || !header.Contains("'fortran_order': False", StringComparison.Ordinal) || dims.Length != 2
            || !int.TryParse(dims[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rows)
            || !int.TryParse(dims[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var columns))
        {
            throw new InvalidDataException($"{path}: expected a 2-D {type} array in C order, found {header.Trim()}");
        }

        var size = (long)rows * columns * 4;
        if (10 + headerLength + size != stream.Length)
        {
            throw new InvalidDataException($"{path}: {stream.Length - 10 - headerLength} data bytes for a {rows} × {columns} array");
        }

        return (rows, columns);
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
