import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  type Hash,
  keccak256,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { pbkdf2Sync } from 'node:crypto';
import { HDKey, hdKeyToAccount } from 'viem/accounts';
import { testTokenAbi, testTokenBytecode } from './test-token.ts';

export type Asset = 'ETH' | 'TOKEN';

export class TransferFailedError extends Error {
  constructor(hash: Hash, why: string) {
    super(`Transfer ${hash} failed: ${why}. The share was not paid.`);
    this.name = 'TransferFailedError';
  }
}

/** The treasury that pays gifts, and the chain it pays on. Transfers are signed locally and sent one at a time, so nonces never collide. */
export class Treasury {
  readonly address: Address;
  private nonce?: number;
  private queue: Promise<unknown> = Promise.resolve();
  private fees?: { at: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

  private constructor(
    readonly client: PublicClient,
    private readonly wallet: WalletClient,
    readonly chainId: number,
  ) {
    this.address = wallet.account!.address;
  }

  static async connect(transport: Transport, mnemonic: string, accountIndex: number): Promise<Treasury> {
    const probe = createPublicClient({ transport });
    const chainId = await probe.getChainId();
    const chain = defineChain({
      id: chainId,
      name: `chain-${chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [] } },
    });
    const client = createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient;
    const account = accountOf(mnemonic, accountIndex);
    return new Treasury(client, createWalletClient({ chain, transport, account }), chainId);
  }

  /** Deploys the ERC-20 test token with the whole supply in the treasury. */
  async deployToken(supply: bigint): Promise<Address> {
    return this.serial(async () => {
      this.nonce = undefined;
      const hash = await this.wallet.deployContract({ abi: testTokenAbi, bytecode: testTokenBytecode, args: [supply], account: this.wallet.account!, chain: this.wallet.chain });
      const receipt = await this.client.waitForTransactionReceipt({ hash, timeout: 30_000 });
      if (!receipt.contractAddress || receipt.status !== 'success') throw new TransferFailedError(hash, 'token deployment reverted');
      return receipt.contractAddress;
    });
  }

  async hasCode(address: Address): Promise<boolean> {
    const code = await this.client.getCode({ address });
    return !!code && code !== '0x';
  }

  /**
   * Signs and sends one transfer. `beforeSend` gets the hash before anything leaves the
   * process, so a caller can record it first and find the transfer again after a crash.
   */
  async send(transfer: { to: Address; asset: Asset; amount: bigint; token?: Address }, beforeSend?: (hash: Hash) => Promise<void>): Promise<Hash> {
    return this.serial(async () => {
      for (let attempt = 1; ; attempt++) {
        const nonce = this.nonce ?? (await this.client.getTransactionCount({ address: this.address, blockTag: 'pending' }));
        const fees = await this.currentFees();
        const call =
          transfer.asset === 'ETH'
            ? { to: transfer.to, value: transfer.amount, gas: 21_000n }
            : { to: transfer.token!, data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [transfer.to, transfer.amount] }), gas: 100_000n };
        const serializedTransaction = await this.wallet.signTransaction({ ...call, nonce, ...fees, account: this.wallet.account!, chain: this.wallet.chain });
        const hash = keccak256(serializedTransaction);
        await beforeSend?.(hash);
        try {
          await this.client.sendRawTransaction({ serializedTransaction });
          this.nonce = nonce + 1;
          return hash;
        } catch (error) {
          // The node may or may not have taken it: ask it again next time.
          this.nonce = undefined;
          // Another sender (a second instance, a script) used our nonce: sign again with a fresh one, once.
          if (attempt === 1 && /nonce too low/i.test(String((error as Error).message))) continue;
          throw error;
        }
      }
    });
  }

  /** Waits until the transfer is mined; throws when it reverted or did not land in time. */
  async confirm(hash: Hash, timeoutMs = 20_000): Promise<bigint> {
    const receipt = await this.client.waitForTransactionReceipt({ hash, timeout: timeoutMs, pollingInterval: 100 });
    if (receipt.status !== 'success') throw new TransferFailedError(hash, 'reverted');
    return receipt.blockNumber;
  }

  /** The receipt's status if the node knows the transaction, else undefined. */
  async lookup(hash: Hash): Promise<'success' | 'reverted' | undefined> {
    try {
      return (await this.client.getTransactionReceipt({ hash })).status;
    } catch {
      return undefined;
    }
  }

  async tokenBalance(token: Address, owner: Address): Promise<bigint> {
    return this.client.readContract({ address: token, abi: testTokenAbi, functionName: 'balanceOf', args: [owner] });
  }

  private async currentFees() {
    if (this.fees && Date.now() - this.fees.at < 5_000) return { maxFeePerGas: this.fees.maxFeePerGas, maxPriorityFeePerGas: this.fees.maxPriorityFeePerGas };
    const block = await this.client.getBlock({ blockTag: 'latest' });
    const maxPriorityFeePerGas = 1_000_000n;
    // Twice the base fee: room for a few full blocks before the transfer is underpriced.
    const maxFeePerGas = (block.baseFeePerGas ?? 1_000_000_000n) * 2n + maxPriorityFeePerGas;
    this.fees = { at: Date.now(), maxFeePerGas, maxPriorityFeePerGas };
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }
}

/**
 * viem's mnemonicToAccount, with the BIP-39 seed computed by node:crypto: the same account,
 * but PBKDF2 (2048 rounds of HMAC-SHA512) in native code instead of JavaScript, a few
 * hundred ms of CPU less at every start of the app.
 */
export function accountOf(mnemonic: string, addressIndex: number) {
  const seed = pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512');
  return hdKeyToAccount(HDKey.fromMasterSeed(seed), { addressIndex });
}
