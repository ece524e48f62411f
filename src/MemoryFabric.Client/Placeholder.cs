namespace MemoryFabric.Client;
