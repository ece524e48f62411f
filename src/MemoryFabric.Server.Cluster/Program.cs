using MemoryFabric.Server;
using MemoryFabric.Server.Cluster;
using MemoryFabric.Server.Hosting;

// The server as a silo of an Orleans cluster: MemoryFabric:Mode=Cluster, silo settings under MemoryFabric:Cluster.
var app = MemoryFabricServer.Build(args, builder => builder.AddMemoryFabricCluster());
await app.StartAsync();
StartupBanner.Print(app, Console.Out);
await app.WaitForShutdownAsync();
