using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using MemoryFabric.Conversation;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Evaluation.Metrics;
using MemoryFabric.Orleans.AzureStorage;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Persistence;
using MemoryFabric.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace MemoryFabric.Cli.Commands;

/// <summary>
/// <c>memfab bench storage</c>: the bytes a cluster uploads to Azure Blob Storage per acknowledged turn, for one agent
/// ingesting a conversation in small batches (LoCoMo's turns, or synthetic ones), written two ways from the same engine
/// state: through <see cref="BlobActorStateStore"/> as <c>AgentMemoryGrain</c> does (one journal append per
/// acknowledged batch, a snapshot every <c>--snapshot-every</c> appends and after each consolidation), and through
/// Orleans' own <c>AzureBlobGrainStorage</c> holding the whole agent (its snapshot, serialized by the silo's grain
/// storage serializer) rewritten per acknowledged batch and after each consolidation. The bytes are the content lengths
/// of the requests the Azure SDK sends, counted by a pipeline policy on each path's client. Against Azurite, started
/// on free loopback ports in a temporary folder, or any account with <c>--connection-string</c>.
/// </summary>
internal static class BenchStorageCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var turns = new Option<int>("--turns") { Description = "Turns the agent ingests.", HelpName = "n", DefaultValueFactory = _ => 10_000 };
        var batchSize = new Option<int>("--batch-size") { Description = "Turns per acknowledged batch (one journal append).", HelpName = "n", DefaultValueFactory = _ => 10 };
        var snapshotEvery = new Option<int>("--snapshot-every") { Description = "Journal appends between snapshots (AgentMemoryGrainOptions.SnapshotAfterJournalEntries).", HelpName = "n", DefaultValueFactory = _ => 256 };
        var consolidateAfter = new Option<int>("--consolidate-after") { Description = "Consolidate (and snapshot) after this many new turns, as the grain does (AgentMemoryGrainOptions.ConsolidateAfterTurns); 0 never.", HelpName = "turns", DefaultValueFactory = _ => 1_000 };
        var embedder = new Option<string>("--embedder") { Description = "The engine's embedder: hashing (384 dimensions, like MiniLM), auto, minilm, arctic-xs or openai. Vectors are in the snapshots.", HelpName = "name", DefaultValueFactory = _ => "hashing" };
        var locomo = new Option<string>("--locomo") { Description = "The LoCoMo file whose turns are the texts (synthetic texts when it is missing).", HelpName = "path", DefaultValueFactory = _ => Benchmarks.Http.HttpBenchmarkOptions.DefaultLocomoPath };
        var synthetic = new Option<bool>("--synthetic") { Description = "Use synthetic texts even when the LoCoMo file exists." };
        var connectionString = new Option<string?>("--connection-string") { Description = "An Azure Storage account to write to instead of a fresh Azurite (containers mf-bench-*, deleted afterwards).", HelpName = "connection string" };
        var azurite = new Option<string?>("--azurite") { Description = "The azurite executable (default: AZURITE_BIN, .ci/.tools/node_modules/.bin/azurite under the repository, or azurite on the PATH).", HelpName = "path" };
        var output = new Option<string?>("--out") { Description = "Also write every figure as JSON to this file.", HelpName = "path" };
        var quiet = ProgressDisplay.QuietOption();

        var command = new Command("storage", "Bytes uploaded to Azure Blob Storage per acknowledged turn: MemoryFabric's journal + snapshot store against Orleans' whole-state blob grain storage, on Azurite.")
        {
            turns, batchSize, snapshotEvery, consolidateAfter, embedder, locomo, synthetic, connectionString, azurite, output, quiet,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var options = new StorageBenchOptions
            {
                Turns = OptionRange.Check(parseResult.GetValue(turns), "--turns", 1, 10_000_000),
                BatchSize = OptionRange.Check(parseResult.GetValue(batchSize), "--batch-size", 1, 1_000),
                SnapshotEvery = OptionRange.Check(parseResult.GetValue(snapshotEvery), "--snapshot-every", 1, 1_000_000),
                ConsolidateAfter = OptionRange.Check(parseResult.GetValue(consolidateAfter), "--consolidate-after", 0, int.MaxValue),
                Embedder = (parseResult.GetValue(embedder) ?? "hashing").Trim().ToLowerInvariant(),
                LocomoPath = parseResult.GetValue(locomo),
                Synthetic = parseResult.GetValue(synthetic),
                ConnectionString = parseResult.GetValue(connectionString),
                Azurite = parseResult.GetValue(azurite),
            };
            if (!EmbedderFactory.Names.Contains(options.Embedder))
            {
                throw new UsageException($"--embedder: unknown embedder \"{options.Embedder}\" ({string.Join(", ", EmbedderFactory.Names)})");
            }

            StorageBenchReport report;
            try
            {
                report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)), ProgressStyle.Spinners, display =>
                {
                    display.Start("bench storage");
                    return StorageBench.RunAsync(options, display.Log, cancellationToken);
                }).ConfigureAwait(false);
            }
            catch (DatasetFormatException e)
            {
                throw new UsageException($"--locomo: {e.Message}", e);
            }
            catch (ArgumentException e) when (e.ParamName == "name")
            {
                throw new UsageException($"--embedder: {e.Message}", e);
            }
            catch (AzuriteNotFoundException e)
            {
                throw new UsageException(e.Message, e);
            }

            await stdout.WriteAsync(report.Render()).ConfigureAwait(false);
            return await CommandOutput.TryWriteFileAsync("bench storage", parseResult.GetValue(output), JsonSerializer.Serialize(report, JsonOptions), "results", stderr, cancellationToken).ConfigureAwait(false)
                ? ExitCodes.Success
                : ExitCodes.Failure;
        });
        return command;
    }
}

/// <summary>The settings of one <c>memfab bench storage</c> run.</summary>
internal sealed class StorageBenchOptions
{
    public int Turns { get; init; } = 10_000;

    public int BatchSize { get; init; } = 10;

    public int SnapshotEvery { get; init; } = 256;

    public int ConsolidateAfter { get; init; } = 1_000;

    public string Embedder { get; init; } = "hashing";

    public string? LocomoPath { get; init; }

    public bool Synthetic { get; init; }

    public string? ConnectionString { get; init; }

    public string? Azurite { get; init; }
}

/// <summary>What one write path uploaded.</summary>
internal sealed class StoragePathReport
{
    public required string Name { get; init; }

    public long BytesUploaded { get; init; }

    public long WriteRequests { get; init; }

    public IReadOnlyDictionary<string, long> RequestsByMethod { get; init; } = new Dictionary<string, long>();

    public long JournalBytes { get; init; }

    public long SnapshotBytes { get; init; }

    public int Snapshots { get; init; }

    public double BytesPerAcknowledgedTurn { get; init; }

    public double BytesPerAcknowledgedBatch { get; init; }

    public double WriteMillisecondsP50 { get; init; }

    public double WriteMillisecondsP99 { get; init; }
}

/// <summary>The figures of a run.</summary>
internal sealed class StorageBenchReport
{
    public required string Texts { get; init; }

    public required string Embedder { get; init; }

    public required string Storage { get; init; }

    public required string OrleansSerializer { get; init; }

    public int AcknowledgedTurns { get; init; }

    public int AcknowledgedBatches { get; init; }

    public int BatchSize { get; init; }

    public int SnapshotEvery { get; init; }

    public int ConsolidateAfter { get; init; }

    public int Consolidations { get; init; }

    public long JournalEntryBytes { get; init; }

    public long FinalSnapshotBytes { get; init; }

    public long EngineSnapshotBytesWrittenByOrleansPath { get; init; }

    public double Seconds { get; init; }

    public required StoragePathReport Journal { get; init; }

    public required StoragePathReport WholeState { get; init; }

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"memfab bench storage: {AcknowledgedTurns:N0} acknowledged turns in {AcknowledgedBatches:N0} batches of {BatchSize} ({Texts} texts, {Embedder} embedder), {Storage}");
        text.AppendLine(CultureInfo.InvariantCulture, $"snapshot every {SnapshotEvery} journal appends; consolidation every {ConsolidateAfter:N0} turns ({Consolidations} runs); final snapshot {FinalSnapshotBytes:N0} B; journal entries {JournalEntryBytes:N0} B in all");
        text.AppendLine();
        text.AppendLine("| write path | bytes uploaded | write requests | bytes / acknowledged turn | bytes / acknowledged batch | write ms p50 / p99 |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var path in new[] { Journal, WholeState })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {path.Name} | {path.BytesUploaded:N0} | {path.WriteRequests:N0} | {path.BytesPerAcknowledgedTurn:N0} | {path.BytesPerAcknowledgedBatch:N0} | {path.WriteMillisecondsP50:F1} / {path.WriteMillisecondsP99:F1} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"journal + snapshot: {Journal.JournalBytes:N0} B of journal blobs, {Journal.SnapshotBytes:N0} B in {Journal.Snapshots} snapshots; requests {string.Join(", ", Journal.RequestsByMethod.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"whole state: {WholeState.Snapshots:N0} writes of the agent ({OrleansSerializer}); the engine snapshots inside them are {EngineSnapshotBytesWrittenByOrleansPath:N0} B; requests {string.Join(", ", WholeState.RequestsByMethod.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"whole state / journal + snapshot: {WholeState.BytesUploaded / (double)Math.Max(1, Journal.BytesUploaded):N1}x the bytes ({Seconds:N0} s)");
        return text.ToString();
    }
}

/// <summary>Azurite could not be found.</summary>
internal sealed class AzuriteNotFoundException : Exception
{
    public AzuriteNotFoundException()
    {
    }

    public AzuriteNotFoundException(string message)
        : base(message)
    {
    }

    public AzuriteNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The run itself.</summary>
internal static class StorageBench
{
    private const string AgentKey = "bench/agent";

    public static async Task<StorageBenchReport> RunAsync(StorageBenchOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var texts = TurnStream.Create(options.LocomoPath, options.Synthetic);
        var selected = await EmbedderFactory.CreateAsync(options.Embedder, new Progress<string>(m => log.WriteLine(m)), cancellationToken).ConfigureAwait(false);
        if (selected.Warning is { } warning)
        {
            await log.WriteLineAsync(warning).ConfigureAwait(false);
        }

        await using var azurite = options.ConnectionString is { Length: > 0 } ? null : await AzuriteProcess.StartAsync(options.Azurite, cancellationToken).ConfigureAwait(false);
        var connectionString = options.ConnectionString is { Length: > 0 } given ? given : azurite!.ConnectionString;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var journalCounter = new UploadCounter();
        var wholeCounter = new UploadCounter();
        var journalContainer = new BlobServiceClient(connectionString, ClientOptions(journalCounter)).GetBlobContainerClient("mf-bench-journal-" + suffix);
        var wholeService = new BlobServiceClient(connectionString, ClientOptions(wholeCounter));
        var wholeContainerName = "mf-bench-whole-" + suffix;

        // Orleans' own blob grain storage, as a silo builds it (its serializer is the silo's default).
        var siloBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        siloBuilder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), 0, serviceId: "mf-bench", clusterId: "mf-bench-" + suffix);
            silo.AddAzureBlobGrainStorage("whole", o =>
            {
                o.BlobServiceClient = wholeService;
                o.ContainerName = wholeContainerName;
            });
        });
        using var silo = siloBuilder.Build();
        await silo.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var grainStorage = silo.Services.GetRequiredKeyedService<IGrainStorage>("whole");
            var serializer = silo.Services.GetRequiredService<IOptionsMonitor<AzureBlobStorageOptions>>().Get("whole").GrainStorageSerializer?.GetType().Name ?? "?";
            var store = new BlobActorStateStore(journalContainer);
            var actor = new ActorId("agent", AgentKey);
            await store.LoadAsync(actor, cancellationToken).ConfigureAwait(false); // the activation's read: creates the container
            var grainId = GrainId.Create("agent", AgentKey);
            var wholeState = new GrainState<WholeAgentState>(new WholeAgentState());
            await grainStorage.ReadStateAsync("agent", grainId, wholeState).ConfigureAwait(false);
            var journalStart = journalCounter.Snapshot();
            var wholeStart = wholeCounter.Snapshot();

            var memory = new AgentMemory(new AgentMemoryOptions { DeferEmbedding = true }, TimeProvider.System, selected.Generator);
            var journalTimes = new List<double>();
            var wholeTimes = new List<double>();
            long version = 0, lastSequence = 0, journalBytes = 0, snapshotBytes = 0, engineBytesInWhole = 0, finalSnapshot = 0;
            int sinceSnapshot = 0, sinceConsolidation = 0, snapshots = 0, wholeWrites = 0, consolidations = 0, acknowledged = 0, batches = 0;
            var clock = Stopwatch.StartNew();
            var progressAt = clock.Elapsed;

            async Task SnapshotBothAsync()
            {
                var snapshot = Snapshot(memory);
                version = await store.WriteSnapshotAsync(actor, snapshot, lastSequence, version, cancellationToken).ConfigureAwait(false);
                snapshotBytes += snapshot.Length;
                snapshots++;
                sinceSnapshot = 0;
                wholeState.State = new WholeAgentState { Snapshot = snapshot };
                await grainStorage.WriteStateAsync("agent", grainId, wholeState).ConfigureAwait(false);
                engineBytesInWhole += snapshot.Length;
                wholeWrites++;
            }

            for (var start = 0; start < options.Turns; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = texts.Take(start, Math.Min(options.BatchSize, options.Turns - start));
                var result = await memory.IngestAsync(batch, cancellationToken).ConfigureAwait(false);
                var entry = MemoryChangeCodec.Encode(memory.DrainChanges());

                // MemoryFabric: one journal append per acknowledged batch, a snapshot every N appends (AgentMemoryGrain.CommitAsync).
                var timer = Stopwatch.StartNew();
                lastSequence = await store.AppendAsync(actor, [entry], cancellationToken).ConfigureAwait(false);
                journalBytes += entry.Length;
                if (++sinceSnapshot >= options.SnapshotEvery)
                {
                    var snapshot = Snapshot(memory);
                    version = await store.WriteSnapshotAsync(actor, snapshot, lastSequence, version, cancellationToken).ConfigureAwait(false);
                    snapshotBytes += snapshot.Length;
                    snapshots++;
                    sinceSnapshot = 0;
                }

                journalTimes.Add(timer.Elapsed.TotalMilliseconds);

                // Orleans' whole-state grain storage: the whole agent, rewritten before the batch is acknowledged.
                timer.Restart();
                var whole = Snapshot(memory);
                wholeState.State = new WholeAgentState { Snapshot = whole };
                await grainStorage.WriteStateAsync("agent", grainId, wholeState).ConfigureAwait(false);
                wholeTimes.Add(timer.Elapsed.TotalMilliseconds);
                engineBytesInWhole += whole.Length;
                wholeWrites++;

                acknowledged += result.StoredTurnIds.Count;
                sinceConsolidation += result.StoredTurnIds.Count;
                batches++;

                // The grain's dense-indexing timer runs between writes: the next snapshots hold the vectors.
                while (memory.PendingEmbeddingCount > 0)
                {
                    await memory.EmbedPendingAsync(32, cancellationToken).ConfigureAwait(false);
                }

                if (options.ConsolidateAfter > 0 && sinceConsolidation >= options.ConsolidateAfter)
                {
                    await memory.ConsolidateAsync(cancellationToken).ConfigureAwait(false);
                    memory.DrainChanges(); // captured by the snapshot, as in AgentMemoryGrain.RunConsolidationAsync
                    while (memory.PendingEmbeddingCount > 0)
                    {
                        await memory.EmbedPendingAsync(32, cancellationToken).ConfigureAwait(false);
                    }

                    await SnapshotBothAsync().ConfigureAwait(false);
                    consolidations++;
                    sinceConsolidation = 0;
                }

                if (clock.Elapsed - progressAt > TimeSpan.FromSeconds(10))
                {
                    progressAt = clock.Elapsed;
                    await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"memfab bench storage: {acknowledged:N0} turns, {clock.Elapsed.TotalSeconds:N0} s")).ConfigureAwait(false);
                }
            }

            finalSnapshot = Snapshot(memory).Length;
            var journal = journalCounter.Snapshot().Minus(journalStart);
            var wholeCounts = wholeCounter.Snapshot().Minus(wholeStart);
            return new StorageBenchReport
            {
                Texts = texts.Source,
                Embedder = selected.Name,
                Storage = azurite is null ? "the given account" : $"Azurite {azurite.Version}",
                OrleansSerializer = serializer,
                AcknowledgedTurns = acknowledged,
                AcknowledgedBatches = batches,
                BatchSize = options.BatchSize,
                SnapshotEvery = options.SnapshotEvery,
                ConsolidateAfter = options.ConsolidateAfter,
                Consolidations = consolidations,
                JournalEntryBytes = journalBytes,
                FinalSnapshotBytes = finalSnapshot,
                EngineSnapshotBytesWrittenByOrleansPath = engineBytesInWhole,
                Seconds = clock.Elapsed.TotalSeconds,
                Journal = Path("MemoryFabric BlobActorStateStore (journal + snapshots)", journal, acknowledged, batches, journalTimes, journalBytes, snapshotBytes, snapshots),
                WholeState = Path($"Orleans AzureBlobGrainStorage (whole agent per batch, {serializer})", wholeCounts, acknowledged, batches, wholeTimes, 0, engineBytesInWhole, wholeWrites),
            };
        }
        finally
        {
            if (options.ConnectionString is { Length: > 0 })
            {
                await journalContainer.DeleteIfExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                await wholeService.GetBlobContainerClient(wholeContainerName).DeleteIfExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }

            await silo.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static StoragePathReport Path(string name, UploadCounts counts, int turns, int batches, List<double> times, long journalBytes, long snapshotBytes, int snapshots)
    {
        return new StoragePathReport
        {
            Name = name,
            BytesUploaded = counts.Bytes,
            WriteRequests = counts.Writes,
            RequestsByMethod = counts.ByMethod,
            JournalBytes = journalBytes,
            SnapshotBytes = snapshotBytes,
            Snapshots = snapshots,
            BytesPerAcknowledgedTurn = counts.Bytes / (double)Math.Max(1, turns),
            BytesPerAcknowledgedBatch = counts.Bytes / (double)Math.Max(1, batches),
            WriteMillisecondsP50 = Percentiles.NearestRank(times, 50),
            WriteMillisecondsP99 = Percentiles.NearestRank(times, 99),
        };
    }

    private static byte[] Snapshot(AgentMemory memory)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        memory.WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static BlobClientOptions ClientOptions(UploadCounter counter)
    {
        var options = new BlobClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerRetry); // every attempt that goes on the wire
        return options;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The state of a grain that keeps the whole agent in Orleans grain storage: its snapshot.</summary>
[GenerateSerializer]
public sealed class WholeAgentState
{
    /// <summary>The engine's snapshot (<c>AgentMemory.WriteSnapshot</c>).</summary>
    [Id(0)]
    public byte[] Snapshot { get; set; } = [];
}

/// <summary>Request counts and content bytes at one moment.</summary>
internal sealed record UploadCounts(long Bytes, long Writes, IReadOnlyDictionary<string, long> ByMethod)
{
    public UploadCounts Minus(UploadCounts before) => new(
        Bytes - before.Bytes,
        Writes - before.Writes,
        ByMethod.ToDictionary(kv => kv.Key, kv => kv.Value - before.ByMethod.GetValueOrDefault(kv.Key)).Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value));
}

/// <summary>Sums the content lengths of the requests an Azure SDK client sends (PUTs of blobs and blocks), and counts
/// requests by method.</summary>
internal sealed class UploadCounter : HttpPipelinePolicy
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _byMethod = [];
    private long _bytes;
    private long _writes;

    public UploadCounts Snapshot()
    {
        lock (_lock)
        {
            return new UploadCounts(_bytes, _writes, new Dictionary<string, long>(_byMethod));
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message)
    {
        var method = message.Request.Method.Method;
        long length = 0;
        if (message.Request.Content is { } content && !content.TryComputeLength(out length))
        {
            throw new InvalidOperationException($"A {method} request of unknown length: its bytes cannot be counted.");
        }

        lock (_lock)
        {
            _bytes += length;
            _writes += method == "PUT" ? 1 : 0;
            _byMethod[method] = _byMethod.GetValueOrDefault(method) + 1;
        }
    }
}

/// <summary>The texts: LoCoMo's turns in order (each pass over the file again, with new ids, sessions and dates), or
/// synthetic everyday turns.</summary>
internal sealed class TurnStream
{
    private readonly List<(string Session, string Speaker, string Text, DateTimeOffset Time)> _turns;
    private readonly TimeSpan _cycle;

    private TurnStream(string source, List<(string, string, string, DateTimeOffset)> turns)
    {
        Source = source;
        _turns = turns;
        _cycle = (turns.Max(t => t.Item4) - turns.Min(t => t.Item4)) + TimeSpan.FromDays(30);
    }

    public string Source { get; }

    public static TurnStream Create(string? locomoPath, bool synthetic)
    {
        if (!synthetic && !string.IsNullOrWhiteSpace(locomoPath) && File.Exists(locomoPath))
        {
            var dataset = DatasetReader.Read(locomoPath);
            var turns = new List<(string, string, string, DateTimeOffset)>();
            foreach (var conversation in dataset.Conversations)
            {
                foreach (var session in conversation.Sessions)
                {
                    for (var i = 0; i < session.Turns.Count; i++)
                    {
                        var turn = session.Turns[i];
                        if (!string.IsNullOrWhiteSpace(turn.Text) && !string.IsNullOrWhiteSpace(turn.Speaker))
                        {
                            turns.Add((conversation.Id + ":" + session.Id, turn.Speaker, turn.Text, DatasetConversation.TurnTimestamp(session, i)));
                        }
                    }
                }
            }

            if (turns.Count > 0)
            {
                return new TurnStream("LoCoMo " + System.IO.Path.GetFileName(locomoPath), turns);
            }
        }

        return new TurnStream("synthetic", Synthetic());
    }

    public List<TurnInput> Take(int first, int count)
    {
        var batch = new List<TurnInput>(count);
        for (var position = first; position < first + count; position++)
        {
            var cycle = position / _turns.Count;
            var (session, speaker, text, time) = _turns[position % _turns.Count];
            batch.Add(new TurnInput
            {
                Id = "t" + position.ToString(CultureInfo.InvariantCulture),
                SessionId = cycle == 0 ? session : session + "~" + cycle.ToString(CultureInfo.InvariantCulture),
                Speaker = speaker,
                Text = text,
                Timestamp = time + (_cycle * cycle),
            });
        }

        return batch;
    }

    private static List<(string, string, string, DateTimeOffset)> Synthetic()
    {
        string[] names = ["Alice", "Bruno", "Chloe", "Deepak"];
        string[] events =
        [
            "went hiking near the lake with my sister", "adopted a golden retriever puppy from the shelter",
            "started a pottery class at the community center", "finished the quarterly report for my manager",
            "booked a flight to Lisbon for the conference", "painted the spare bedroom a soft shade of green",
            "joined a book club that reads mysteries", "ran my first half marathon in the rain",
            "baked my grandmother's apple pie for the party", "moved into a new apartment near the river",
        ];
        string[] times = ["last weekend", "yesterday", "on Tuesday evening", "two weeks ago", "last month"];
        string[] replies = ["That sounds amazing, tell me more!", "Oh no, how did you handle that?", "Who else came along?", "Was it as good as you hoped?"];
        var random = new Random(42);
        var turns = new List<(string, string, string, DateTimeOffset)>();
        var start = new DateTimeOffset(2023, 1, 2, 18, 0, 0, TimeSpan.Zero);
        for (var s = 0; s < 100; s++)
        {
            for (var t = 0; t < 20; t++)
            {
                var text = t % 2 == 0
                    ? $"I {events[random.Next(events.Length)]} {times[random.Next(times.Length)]}, and it was quite something."
                    : replies[random.Next(replies.Length)];
                turns.Add(($"syn:s{s + 1}", names[(t % 2) + (2 * (s % 2))], text, start.AddDays(s * 3).AddMinutes(t)));
            }
        }

        return turns;
    }
}

/// <summary>Azurite on free loopback ports in a temporary folder, removed on dispose.</summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _location;

    private AzuriteProcess(Process process, string location, string connectionString, string version)
    {
        _process = process;
        _location = location;
        ConnectionString = connectionString;
        Version = version;
    }

    public string ConnectionString { get; }

    public string Version { get; }

    public static async Task<AzuriteProcess> StartAsync(string? executable, CancellationToken cancellationToken)
    {
        var path = Find(executable);
        var version = await VersionAsync(path, cancellationToken).ConfigureAwait(false);
        var location = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mf-bench-azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(location);
        int blob = Port(), queue = Port(), table = Port();
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(CultureInfo.InvariantCulture),
            "--location", location, "--disableTelemetry", "--skipApiVersionCheck", "--silent",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var connectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;";
        var azurite = new AzuriteProcess(process, location, connectionString, version);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await new BlobServiceClient(connectionString).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
                return azurite;
            }
            catch (Exception e) when (e is not OperationCanceledException && DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await azurite.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Find(string? executable)
    {
        if (executable is { Length: > 0 })
        {
            return File.Exists(executable) ? executable : throw new AzuriteNotFoundException($"--azurite: {executable} does not exist");
        }

        if (Environment.GetEnvironmentVariable("AZURITE_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new AzuriteNotFoundException($"AZURITE_BIN: {configured} does not exist");
        }

        foreach (var origin in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, ".ci", ".tools", "node_modules", ".bin", "azurite");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "azurite"))
            .FirstOrDefault(File.Exists)
            ?? throw new AzuriteNotFoundException("azurite not found: npm install --prefix .ci/.tools azurite@3.35.0 (or set AZURITE_BIN, pass --azurite, or --connection-string)");
    }

    private static async Task<string> VersionAsync(string path, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{path} did not start");
        var version = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return version.Trim();
    }

    private static int Port()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
