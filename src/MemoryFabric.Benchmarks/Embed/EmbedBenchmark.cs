using System.Diagnostics;
using System.Globalization;
using MemoryFabric.Embeddings;

namespace MemoryFabric.Benchmarks.Embed;

/// <summary>
/// <c>memfab bench embed</c>: sentences per second of an encoder (MiniLM or arctic-xs, <see cref="EmbedBenchmarkOptions.Model"/>) for short (~12 tokens), medium (~48) and
/// long (~128) texts in batches, single-thread and all cores, side by side with ONNX Runtime on the same token ids
/// in the same run. ONNX Runtime's timing covers tensor building, the model run and pooling; ours covers the whole
/// public <c>GenerateAsync</c> path, tokenization included. The first batch of each case is also compared with ONNX
/// Runtime's vectors (cosine).
/// </summary>
public static class EmbedBenchmark
{
    private static readonly (string Name, int Tokens)[] Cases = [("short", 12), ("medium", 48), ("long", 128)];

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">The options.</param>
    /// <param name="log">Progress and the console table.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public static async Task<EmbedBenchmarkReport> RunAsync(EmbedBenchmarkOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TextsPerCase);

        var progress = new Progress<string>(line => log.WriteLine($"memfab bench embed: {line}"));
        var arctic = options.Model == EmbedBenchmarkModel.ArcticXs;
        var directory = arctic
            ? await ArcticXsModel.EnsureAsync(options.ModelDirectory, progress, cancellationToken).ConfigureAwait(false)
            : await MiniLmModel.EnsureAsync(options.ModelDirectory, progress, cancellationToken).ConfigureAwait(false);
        BertEmbeddingGenerator Create(int? threads) => arctic
            ? new ArcticXsEmbeddingGenerator(new ArcticXsEmbeddingGeneratorOptions { ModelDirectory = directory, MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount })
            : new MiniLmEmbeddingGenerator(new MiniLmEmbeddingGeneratorOptions { ModelDirectory = directory, MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount });

        var load = Stopwatch.StartNew();
        using var single = Create(1);
        load.Stop();
        using var parallel = Create(null);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"memfab bench embed: {single.ModelId} loaded in {load.Elapsed.TotalSeconds:F3} s ({single.KernelName} kernel); {Environment.ProcessorCount} cores; batches of {options.BatchSize}")).ConfigureAwait(false);

        var texts = Cases.ToDictionary(c => c.Name, c => BenchmarkTexts.Build(single.CountTokens, c.Tokens, options.TextsPerCase, seed: c.Tokens), StringComparer.Ordinal);
        var ours = new Dictionary<string, (double Tokens, double Single, double All)>(StringComparer.Ordinal);
        foreach (var (name, _) in Cases)
        {
            var caseTexts = texts[name];
            var tokens = caseTexts.Average(single.CountTokens);
            var singleRate = await MeasureAsync(single, caseTexts, options, cancellationToken).ConfigureAwait(false);
            var allRate = await MeasureAsync(parallel, caseTexts, options, cancellationToken).ConfigureAwait(false);
            ours[name] = (tokens, singleRate, allRate);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"memfab bench embed: {name} ({tokens:F1} tokens): {singleRate:F1} sentences/s single-thread, {allRate:F1} all cores")).ConfigureAwait(false);
        }

        var peakMegabytes = PeakMemoryMegabytes();
        string? version = null;
        var cosines = new List<double>();
        IReadOnlyDictionary<string, double>? ortSingle = null;
        IReadOnlyDictionary<string, double>? ortAll = null;
        if (options.RunReference)
        {
            var ids = texts.ToDictionary(t => t.Key, t => (IReadOnlyList<int[]>)t.Value.Select(text => single.Tokenize(text).ToArray()).ToList(), StringComparer.Ordinal);
            var referenceDirectory = await OnnxRuntimeReference.InstallAsync(options.ReferenceDirectory, log, cancellationToken).ConfigureAwait(false);
            var model = Path.Combine(directory, arctic ? ArcticXsModel.OnnxFileName : MiniLmModel.OnnxFileName);
            await log.WriteLineAsync("memfab bench embed: running ONNX Runtime on the same token ids (single thread, then all cores) ...").ConfigureAwait(false);
            IReadOnlyDictionary<string, float[][]> reference;
            (version, ortSingle, reference) = await OnnxRuntimeReference.RunAsync(referenceDirectory, model, ids, 1, options.BatchSize, options.MinSeconds, arctic, cancellationToken).ConfigureAwait(false);
            (_, ortAll, _) = await OnnxRuntimeReference.RunAsync(referenceDirectory, model, ids, Environment.ProcessorCount, options.BatchSize, options.MinSeconds, arctic, cancellationToken).ConfigureAwait(false);
            foreach (var (name, vectors) in reference)
            {
                for (var i = 0; i < vectors.Length; i++)
                {
                    cosines.Add(System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(single.Embed(texts[name][i]), vectors[i]));
                }
            }
        }

        var cases = ours.ToDictionary(
            o => o.Key,
            o => new EmbedCaseResult
            {
                Tokens = Math.Round(o.Value.Tokens, 1),
                MemoryFabricSingle = Math.Round(o.Value.Single, 1),
                MemoryFabricAllCores = Math.Round(o.Value.All, 1),
                OnnxRuntimeSingle = ortSingle is null ? null : Math.Round(ortSingle[o.Key], 1),
                OnnxRuntimeAllCores = ortAll is null ? null : Math.Round(ortAll[o.Key], 1),
            },
            StringComparer.Ordinal);
        return new EmbedBenchmarkReport
        {
            Model = single.ModelId,
            CosineMean = cosines.Count == 0 ? null : Math.Round(cosines.Average(), 6),
            CosineMin = cosines.Count == 0 ? null : Math.Round(cosines.Min(), 6),
            Cases = cases,
            RatioMediumBatchSingle = ortSingle is null ? null : Math.Round(ours["medium"].Single / ortSingle["medium"], 3),
            BatchSize = options.BatchSize,
            ModelLoadSeconds = Math.Round(load.Elapsed.TotalSeconds, 3),
            PeakMemoryMegabytes = Math.Round(peakMegabytes, 1),
            OnnxRuntimeVersion = version,
            ProcessorCount = Environment.ProcessorCount,
        };
    }

    private static async Task<double> MeasureAsync(BertEmbeddingGenerator generator, IReadOnlyList<string> texts, EmbedBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var batches = texts.Chunk(options.BatchSize).ToList();
        await generator.GenerateAsync(batches[0], cancellationToken: cancellationToken).ConfigureAwait(false); // warm-up
        var sentences = 0;
        var runs = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < options.MinSeconds || runs < 2)
        {
            foreach (var batch in batches)
            {
                await generator.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
                sentences += batch.Length;
            }

            runs++;
        }

        return sentences / clock.Elapsed.TotalSeconds;
    }

    private static double PeakMemoryMegabytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
