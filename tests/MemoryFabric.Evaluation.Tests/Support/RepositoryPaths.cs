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

    /// <summary>The LoCoMo dev set; when it is absent the calling <c>[SkippableFact]</c> is reported as skipped.</summary>
    public static string RequireLocomoDev()
    {
        var path = LocomoDev;
        Skip.If(path is null,
            "shared/datasets/locomo/locomo-dev.json not found in any folder above " + AppContext.BaseDirectory +
            ": the LoCoMo dev set is in the project's shared/ folder, which sits next to the repository (../shared); " +
            "run the tests from a checkout that has it beside it (CI gets a copy)");
        return path!;
    }
}
