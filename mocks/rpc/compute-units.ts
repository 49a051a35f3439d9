/**
 * Alchemy's throughput compute units per method (the units its CU/s limit counts), from
 * https://www.alchemy.com/docs/reference/compute-unit-costs as published in 2025. Older
 * tables (eth_getBalance 19, eth_getTransactionReceipt 15, eth_estimateGas 87, ...) are
 * still quoted around the web; override per provider with `costs` if you need them.
 */
export const ALCHEMY_COMPUTE_UNITS: Record<string, number> = {
  net_version: 0,
  eth_chainId: 0,
  eth_syncing: 0,
  eth_protocolVersion: 0,
  net_listening: 0,
  eth_uninstallFilter: 10,
  eth_accounts: 10,
  eth_blockNumber: 10,
  eth_subscribe: 10,
  eth_unsubscribe: 10,
  eth_feeHistory: 10,
  eth_maxPriorityFeePerGas: 10,
  eth_createAccessList: 10,
  eth_getTransactionReceipt: 20,
  web3_clientVersion: 20,
  web3_sha3: 20,
  eth_getBlockByNumber: 20,
  eth_getBlockByHash: 20,
  eth_getStorageAt: 20,
  eth_getTransactionByHash: 20,
  eth_gasPrice: 20,
  eth_getBalance: 20,
  eth_getCode: 20,
  eth_getFilterChanges: 20,
  eth_newBlockFilter: 20,
  eth_newFilter: 20,
  eth_newPendingTransactionFilter: 20,
  eth_getProof: 20,
  eth_getTransactionCount: 20,
  eth_estimateGas: 20,
  eth_call: 26,
  eth_simulateV1: 40,
  eth_getLogs: 60,
  eth_getFilterLogs: 60,
  // Billed 40 CU, but counted as 250 against throughput.
  eth_sendRawTransaction: 250,
  eth_getBlockReceipts: 500,
};

/** What a method not in the table costs. */
export const ALCHEMY_DEFAULT_COMPUTE_UNITS = 20;
