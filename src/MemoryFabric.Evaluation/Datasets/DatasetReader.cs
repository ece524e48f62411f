using System.Text.Json;

namespace MemoryFabric.Evaluation.Datasets;

/// <summary>
/// Reads an evaluation dataset and detects its format: a JSON array (or a single sample object with
/// <c>conversation</c> and <c>qa</c>) is LoCoMo; an object with <c>conversations</c> is the generic format
/// (see <c>datasets/README.md</c>).
/// </summary>
public static class DatasetReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 128,
    };

    /// <summary>Reads a dataset file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DatasetFormatException">The file is missing or unreadable, is not JSON, or does not have a
    /// known shape; the message names the file and what is wrong.</exception>
    public static ConversationDataset Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            throw new DatasetFormatException($"{path}: is a directory, not a dataset file");
        }

        if (!File.Exists(path))
        {
            throw new DatasetFormatException($"{path}: dataset file not found");
        }

        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetFormatException($"{path}: cannot be read: {e.Message}", e);
        }

        return Parse(json, path);
    }

    /// <summary>Parses a dataset from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The file name or another label, used in error messages and as the default dataset
    /// name.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DatasetFormatException">The text is not JSON or does not have a known shape.</exception>
    public static ConversationDataset Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new DatasetFormatException($"{source}: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            var name = DefaultName(source);
            var fields = new JsonFields(source);
            if (root.ValueKind == JsonValueKind.Array)
            {
                return LocomoDatasetReader.Read(root, name, fields);
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("conversations", out _))
            {
                return GenericDatasetReader.Read(root, name, fields);
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("conversation", out _) && root.TryGetProperty("qa", out _))
            {
                return LocomoDatasetReader.ReadSingle(root, name, fields);
            }

            throw new DatasetFormatException(
                $"{source}: unknown dataset shape: expected a LoCoMo array of samples (with \"conversation\" and \"qa\") "
                + $"or an object with \"conversations\" (the generic format), found {JsonFields.Describe(root)}"
                + (root.ValueKind == JsonValueKind.Object ? $" with keys {string.Join(", ", root.EnumerateObject().Take(8).Select(p => $"\"{p.Name}\""))}" : string.Empty));
        }
    }

    private static string DefaultName(string source)
    {
        var name = Path.GetFileNameWithoutExtension(source);
        return string.IsNullOrWhiteSpace(name) ? "dataset" : name;
    }
}
