import type { CommandSpec } from '../command.ts';
import { withStore } from '../with-store.ts';
import { listProducts } from '../../store/products.ts';

export const command: CommandSpec = {
  path: ['product', 'list'],
  summary: '列出产品 (list products)',
  options: {},
  async run(ctx) {
    return withStore(ctx, (store) => {
      const products = listProducts(store.db);
      if (ctx.json) {
        ctx.printJson({ ok: true, products });
        return 0;
      }
      if (products.length === 0) {
        ctx.print('还没有产品，用 wuma product add 新增 (no products yet; add one with wuma product add)');
        return 0;
      }
      for (const p of products) {
        const box = p.unitsPerBox === null ? '' : `，每盒 ${p.unitsPerBox} 瓶 × ${p.boxesPerCase ?? 0} 盒`;
        ctx.print(`${p.id.padEnd(16)} ${p.name}  每箱 ${p.unitsPerCase} 瓶${box}，每垛 ${p.casesPerPallet} 箱${p.gtin ? `，GTIN ${p.gtin}` : ''}`);
      }
      return 0;
    });
  },
};
