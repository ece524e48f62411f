namespace MemoryFabric.Evaluation.Tests.Support;

/// <summary>Finds files of the repository and of the shared datasets by walking up from the test binaries.</summary>
internal static class RepositoryPaths
{
    /// <summary>The first <paramref name="relativePath"/> found under the test directory or one of its ancestors.</summary>
    public static string? FindUpwards(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The demo sample of the repository (always present).</summary>
    public static string DemoConversation =>
        FindUpwards(Path.Combine("samples", "demo-conversation.json"))
        ?? throw new FileNotFoundException("samples/demo-conversation.json not found above " + AppContext.BaseDirectory);

    /// <summary>The LoCoMo dev set, a sibling <c>shared/</c> folder of the repository, when present.</summary>
    public static string? LocomoDev => FindUpwards(Path.Combine("shared", "datasets", "locomo", "locomo-dev.json"));
}
