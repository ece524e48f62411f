using System.Text;

namespace MemoryFabric.Server.Tests.Support;

/// <summary>What is on disk under a data directory, byte for byte: the checks that forgotten or deleted text is in no
/// file.</summary>
public static class DataFiles
{
    /// <summary>Every file under <paramref name="directory"/> (subdirectories included, files open for writing too)
    /// whose bytes hold <paramref name="piece"/> as UTF-8. Pass a piece of a distinctive word (its first letters, or
    /// lower-case middle letters) to catch a stemmed index term or a truncated copy as well.</summary>
    /// <param name="directory">The data directory.</param>
    /// <param name="piece">The text to look for.</param>
    /// <returns>The files holding it.</returns>
    public static List<string> Holding(string directory, string piece)
    {
        var needle = Encoding.UTF8.GetBytes(piece);
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == MemoryFabric.Storage.Sqlite.DataDirectoryLock.FileName)
            {
                continue; // held open exclusively by the server (no reader may open it); it holds only the owner line, as .owner does
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            if (copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0)
            {
                found.Add(file);
            }
        }

        return found;
    }
}
