using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.Extensions.FileProviders;

namespace MemoryFabric.Server.Inspector;

/// <summary>The inspector's files, read once from the embedded file provider into memory (a few tens of kilobytes),
/// each with its content type and a strong ETag.</summary>
internal sealed class InspectorAssets
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    };

    private readonly Dictionary<string, InspectorAsset> _files;

    private InspectorAssets(Dictionary<string, InspectorAsset> files) => _files = files;

    /// <summary>The relative paths of the files (<c>index.html</c>, <c>js/app.js</c>, ...).</summary>
    public IEnumerable<string> Paths => _files.Keys;

    /// <summary>Reads every file of the provider.</summary>
    /// <param name="provider">The embedded files.</param>
    /// <returns>The assets.</returns>
    public static InspectorAssets Load(IFileProvider provider)
    {
        var files = new Dictionary<string, InspectorAsset>(StringComparer.Ordinal);
        Add(provider, string.Empty, files); // the provider's root is "/"
        if (!files.ContainsKey("index.html"))
        {
            throw new InvalidOperationException("The inspector's index.html is not embedded in the server assembly.");
        }

        return new InspectorAssets(files);
    }

    /// <summary>Finds a file.</summary>
    /// <param name="path">Its relative path.</param>
    /// <param name="asset">The file.</param>
    /// <returns>Whether there is one.</returns>
    public bool TryGet(string path, [NotNullWhen(true)] out InspectorAsset? asset) => _files.TryGetValue(path, out asset);

    private static void Add(IFileProvider provider, string directory, Dictionary<string, InspectorAsset> files)
    {
        foreach (var entry in provider.GetDirectoryContents("/" + directory))
        {
            var path = directory.Length == 0 ? entry.Name : directory + "/" + entry.Name;
            if (entry.IsDirectory)
            {
                Add(provider, path, files);
                continue;
            }

            if (!ContentTypes.TryGetValue(Path.GetExtension(entry.Name), out var type))
            {
                continue; // only the kinds of file the page is made of are served
            }

            using var stream = entry.CreateReadStream();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var body = copy.ToArray();
            files[path] = new InspectorAsset(body, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..32] + "\"");
        }
    }
}

/// <summary>One file of the inspector.</summary>
/// <param name="Body">Its bytes.</param>
/// <param name="ContentType">Its content type.</param>
/// <param name="ETag">Its strong ETag (a hash of the bytes).</param>
internal sealed record InspectorAsset(byte[] Body, string ContentType, string ETag);
