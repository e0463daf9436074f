/**
 * Level-1 (primary) collation weights for the `unicode_loose_md5` vindex, for U+0000–U+03FF (Basic
 * Latin, Latin-1, Latin Extended-A/B, IPA, spacing modifiers, combining diacritics, Greek),
 * U+1E00–U+1EFF (Latin Extended Additional, e.g. Vietnamese) and U+2000–U+214F (general punctuation,
 * super/subscripts, currency, combining marks for symbols, letterlike symbols).
 *
 * Vitess computes these keys with golang.org/x/text/collate (CLDR 23 root order, Unicode 6.2.0,
 * option Loose; vendored since as go/mysql/collations/vindex/collate with the same tables). The data
 * below was produced by running that collator on each code point alone and keeping the primary
 * weights, in base 36: code points are separated by ",", weights of one code point (an expansion
 * such as ß → s s, æ → a e, ½ → 1 ⁄ 2) by "."; an empty entry is ignorable at level 1 (controls,
 * combining accents, zero-width characters). Unassigned code points carry their implicit weights.
 *
 * Concatenating per-code-point weights reproduces the collator's key for any string over these
 * ranges with one exception, the contraction "l·"/"L·" (Catalan), handled by the caller: every pair
 * of code points in the ranges was checked, and 20,000 random strings including combining sequences.
 */
const RANGES: readonly (readonly [first: number, last: number, data: string])[] = [
  [0x0000, 0x03FF,
    ",,,,,,,,,74,75,76,77,78,,,,,,,,,,,,,,,,,,,7d,9p,ds,hh,3xr,hi,hf,dl,e2,e3,h8,ws,80,7h,aa,hd,44m,44n,4" +
    "4o,44p,44q,44r,44s,44t,44u,44v,8m,8h,ww,wx,wy,9u,h7,4bz,4cl,4d9,4dt,4ek,4g4,4gh,4hg,4i5,4iu,4jj,4k1," +
    "4ld,4lr,4mp,4nq,4ob,4ot,4qb,4ra,4s6,4tb,4tt,4u3,4u8,4ut,e4,he,e5,lu,7f,lr,4bz,4cl,4d9,4dt,4ek,4g4,4g" +
    "h,4hg,4i5,4iu,4jj,4k1,4ld,4lr,4mp,4nq,4ob,4ot,4qb,4ra,4s6,4tb,4tt,4u3,4u8,4ut,e6,x0,e7,x2,,,,,,,79,," +
    ",,,,,,,,,,,,,,,,,,,,,,,,,7d,9q,3xq,3xs,3xp,3xt,x1,h3,ly,ss,4bz,e0,wz,,st,lv,oy,wt,44o,44p,ls,4zf,h5," +
    "ar,m1,44n,4mp,e1,44n.x8.44q,44n.x8.44o,44p.x8.44q,9v,4bz,4bz,4bz,4bz,4bz,4bz,4bz.4ek,4d9,4ek,4ek,4ek" +
    ",4ek,4i5,4i5,4i5,4i5,4dt,4lr,4mp,4mp,4mp,4mp,4mp,wv,4mp,4s6,4s6,4s6,4s6,4u8,4w4,4qb.4qb,4bz,4bz,4bz," +
    "4bz,4bz,4bz,4bz.4ek,4d9,4ek,4ek,4ek,4ek,4i5,4i5,4i5,4i5,4dt,4lr,4mp,4mp,4mp,4mp,4mp,wu,4mp,4s6,4s6,4" +
    "s6,4s6,4u8,4w4,4u8,4bz,4bz,4bz,4bz,4bz,4bz,4d9,4d9,4d9,4d9,4d9,4d9,4d9,4d9,4dt,4dt,4dt,4dt,4ek,4ek,4" +
    "ek,4ek,4ek,4ek,4ek,4ek,4ek,4ek,4gh,4gh,4gh,4gh,4gh,4gh,4gh,4gh,4hg,4hg,4hg,4hg,4i5,4i5,4i5,4i5,4i5,4" +
    "i5,4i5,4i5,4i5,4i9,4i5.4iu,4i5.4iu,4iu,4iu,4jj,4jj,4op,4k1,4k1,4k1,4k1,4k1,4k1,4k1,4k1,4k1,4k1,4lr,4" +
    "lr,4lr,4lr,4lr,4lr,4xb.4lr,4ml,4ml,4mp,4mp,4mp,4mp,4mp,4mp,4mp.4ek,4mp.4ek,4ot,4ot,4ot,4ot,4ot,4ot,4" +
    "qb,4qb,4qb,4qb,4qb,4qb,4qb,4qb,4ra,4ra,4ra,4ra,4rf,4rf,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4" +
    "s6,4tt,4tt,4u8,4u8,4u8,4ut,4ut,4ut,4ut,4ut,4ut,4qb,4ct,4d1,4d5,4d5,4wy,4wy,4n1,4dj,4dj,4e1,4e5,4ea,4" +
    "ea,4ut.4tt,4ev,4f0,4f5,4gb,4gb,4gy,4h8,4ho,4ip,4ij,4jp,4jp,4kc,4l5,4sw,4m2,4m6,4nc,4mp,4mp,4hc,4hc,4" +
    "nz,4nz,4ox,4wq,4wq,4qs,4qx,4rl,4rp,4rp,4rt,4s6,4s6,4t6,4ti,4uk,4uk,4uy,4uy,4vm,4vr,4vr,4vw,4wj,4wu,4" +
    "wu,4ra.4qb,4wa,4y1,4y5,4y9,4yd,4dt.4ut,4dt.4ut,4dt.4ut,4k1.4iu,4k1.4iu,4k1.4iu,4lr.4iu,4lr.4iu,4lr.4" +
    "iu,4bz,4bz,4i5,4i5,4mp,4mp,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4ev,4bz,4bz,4bz,4bz,4bz.4ek,4bz.4" +
    "ek,4gt,4gt,4gh,4gh,4jj,4jj,4mp,4mp,4mp,4mp,4vm,4vm,4iu,4dt.4ut,4dt.4ut,4dt.4ut,4gh,4gh,4ho,4wa,4lr,4" +
    "lr,4bz,4bz,4bz.4ek,4bz.4ek,4mp,4mp,4bz,4bz,4bz,4bz,4ek,4ek,4ek,4ek,4i5,4i5,4i5,4i5,4mp,4mp,4mp,4mp,4" +
    "ot,4ot,4ot,4ot,4s6,4s6,4s6,4s6,4qb,4qb,4ra,4ra,4up,4up,4hg,4hg,4m6,4ee,4nl,4nl,4v4,4v4,4bz,4bz,4ek,4" +
    "ek,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4u8,4u8,4kv,4mg,4rx,4iy,4dt.4cl,4ob.4nq,4c4,4de,4de,4kc,4rj,4qm,4" +
    "vg,4x6,4x6,4ct,4se,4tp,4ep,4ep,4j3,4j3,4ol,4ol,4p3,4p3,4ug,4ug,4c8,4cc,4ch,4d1,4n1,4dn,4e1,4e5,4fa,4" +
    "f0,4fe,4f5,4fi,4fo,4fs,4jb,4gy,4gl,4gp,4h8,4g0,4sk,4hs,4hz,4ij,4ip,4id,4kh,4kl,4kq,4l0,4sw,4t2,4lk,4" +
    "m2,4mc,4lv,4nc,4mv,4nh,4o6,4p8,4pd,4pi,4pn,4pr,4pv,4q0,4ox,4q4,4qi,4qs,4jf,4r1,4r6,4s2,4rt,4se,4t6,4" +
    "ti,4tp,4tz,4l9,4uc,4v8,4vc,4vm,4w0,4x2,4xg,4xx,4yh,4yl,4cp,4fw,4h2,4hk,4j7,4jx,4k5,4oh,4xp,4xt,4dt.4" +
    "ut,4dt.4vm,4dt.4vc,4ra.4qb,4ra.4qs,4ra.4dn,4g4.4ml,4k1.4qb,4k1.4ut,4yp,4yt,4so,4ss,4hg,4hs,4iu,4ot,4" +
    "p8,4pi,4q4,4tt,4u8,m8,ma,4i3,4xb,4i4,4xd,4xk,4xa,4xl,mb,mc,md,me,mf,mg,mh,mi,mj,mk,ml,mm,mn,mo,3x5,3" +
    "x6,mp,mq,mr,ms,mt,mu,lw,lx,lz,m2,lt,m0,mv,mw,4h8,4k1,4qb,4u3,4xg,mx,my,mz,n0,n1,n2,n3,n4,n5,4xc,n6,n" +
    "7,n8,n9,na,nb,nc,nd,ne,nf,ng,nh,ni,nj,nk,nl,nm,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,," +
    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,4bz,4ek,4i5,4mp,4s6,4d9,4dt,4hg,4ld,4ot,4ra,4tb,4u3,4z" +
    "7,4z7,503,503,m8,m9,4z4,4z4,71iw,71ix,4za,4zt,4zs,4zu,8h,71j3,71j4,71j5,71j6,71j7,ls,ly,4yx,ar,4z2,4" +
    "z8,4za,71jf,4zi,71jh,4zw,501,4za,4yx,4yy,4yz,4z1,4z2,4z6,4z8,4z9,4za,4zc,4zd,4zf,4zg,4zh,4zi,4zj,4zo" +
    ",71k2,4zr,4zv,4zw,4zx,4zy,4zz,501,4za,4zw,4yx,4z2,4z8,4za,4zw,4yx,4yy,4yz,4z1,4z2,4z6,4z8,4z9,4za,4z" +
    "c,4zd,4zf,4zg,4zh,4zi,4zj,4zo,4zr,4zr,4zv,4zw,4zx,4zy,4zz,501,4za,4zw,4zi,4zw,501,4zc.4yx.4za,4yy,4z" +
    "9,4zw,4zw,4zw,4zx,4zj,4zc.4yx.4za,4zn,4zn,4z5,4z5,4z3,4z3,4zm,4zm,502,502,510,510,515,515,516,516,51" +
    "9,519,51g,51g,51j,51j,51n,51n,4zc,4zo,4zr,4zb,4z9,4z2,wn,504,504,4zr,4zl,4zl,4zq,4zt,4zs,4zu"],
  [0x1E00, 0x1EFF,
    "4bz,4bz,4cl,4cl,4cl,4cl,4cl,4cl,4d9,4d9,4dt,4dt,4dt,4dt,4dt,4dt,4dt,4dt,4dt,4dt,4ek,4ek,4ek,4ek,4ek," +
    "4ek,4ek,4ek,4ek,4ek,4g4,4g4,4gh,4gh,4hg,4hg,4hg,4hg,4hg,4hg,4hg,4hg,4hg,4hg,4i5,4i5,4i5,4i5,4jj,4jj," +
    "4jj,4jj,4jj,4jj,4k1,4k1,4k1,4k1,4k1,4k1,4k1,4k1,4ld,4ld,4ld,4ld,4ld,4ld,4lr,4lr,4lr,4lr,4lr,4lr,4lr," +
    "4lr,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4nq,4nq,4nq,4nq,4ot,4ot,4ot,4ot,4ot,4ot,4ot,4ot,4qb,4qb,4qb,4qb," +
    "4qb,4qb,4qb,4qb,4qb,4qb,4ra,4ra,4ra,4ra,4ra,4ra,4ra,4ra,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4tb," +
    "4tb,4tb,4tb,4tt,4tt,4tt,4tt,4tt,4tt,4tt,4tt,4tt,4tt,4u3,4u3,4u3,4u3,4u8,4u8,4ut,4ut,4ut,4ut,4ut,4ut," +
    "4hg,4ra,4tt,4u8,4bz.4xd,4qb,4qq,4qr,4qb.4qb,4ej,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz," +
    "4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4bz,4ek,4ek,4ek,4ek,4ek,4ek,4ek,4ek,4ek,4ek,4ek,4ek,4ek,4ek," +
    "4ek,4ek,4i5,4i5,4i5,4i5,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp,4mp," +
    "4mp,4mp,4mp,4mp,4mp,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4s6,4u8,4u8,4u8,4u8,4u8,4u8," +
    "4u8,4u8,4k1.4k1,4k1.4k1,4to,4to,4uo,4uo"],
  [0x2000, 0x214F,
    "7d,7d,7d,7d,7d,7d,7d,7d,7d,7d,7d,,,,,,7n,7n,7o,7p,7q,7r,gy,7g,dm,dn,do,dp,dt,du,dv,dw,ho,hp,ht,hu,aa" +
    ",aa.aa,aa.aa.aa,hv,7b,7c,,,,,,7d,hk,hm,hz,hz.hz,hz.hz.hz,i0,i0.i0,i0.i0.i0,i3,dq,dr,i4,9p.9p,a8,7e,i" +
    "5,i7,i9,ia,hw,x8,ee,ef,9u.9u,9u.9p,9p.9u,hg,h6,hx,hy,h9,8j,i8,ha,x4,7u,i6,cu,cv,hz.hz.hz.hz,cw,cx,cy" +
    ",cz,d0,d1,d2,7d,,,,,,778l,778m,778n,778o,778p,,,,,,,44m,4i5,778y,778z,44q,44r,44s,44t,44u,44v,ws,x3," +
    "wx,e2,e3,4lr,44m,44n,44o,44p,44q,44r,44s,44t,44u,44v,ws,x3,wx,e2,e3,779r,4bz,4ek,4mp,4u3,4f0,4hg,4jj" +
    ",4k1,4ld,4lr,4nq,4qb,4ra,77a5,77a6,77a7,3y4,3y5,3y6,3y7,3y8,3y9,3ya,3yb,3yu,3yc,3yd,3ye,3yf,3yg,3yh," +
    "3yi,3yj,3yk,3yl,3ym,3yn,3yo,3yp,3yq,3yr,3ys,3yt,77az,77b0,77b1,77b2,77b3,77b4,77b5,77b6,77b7,77b8,77" +
    "b9,77ba,77bb,77bc,77bd,77be,77bf,77bg,77bh,77bi,77bj,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,77ch,77ci,77cj" +
    ",77ck,77cl,77cm,77cn,77co,77cp,77cq,77cr,77cs,77ct,77cu,77cv,4bz.hd.4d9,4bz.hd.4qb,4d9,oy.4d9,su,4d9" +
    ".hd.4mp,4d9.hd.4s6,4f5,sv,oy.4g4,4gh,4hg,4hg,4hg,4hg,4hg,4i5,4i5,4k1,4k1,sw,4lr,4lr.4mp,sx,sy,4nq,4o" +
    "b,4ot,4ot,4ot,sz,t0,4qb.4ld,4ra.4ek.4k1,4ra.4ld,t1,4ut,t2,501,t3,4ut,t4,4jj,4bz,4cl,4d9,t5,4ek,4ek,4" +
    "g4,4gf,4ld,4mp,5l4,5l5,5l6,5l7,4i5,t6,4g4.4bz.4u3,4zj,4yz,4yz,4zj,wr,t7,t8,t9,ta,4dt,4dt,4ek,4i5,4iu" +
    ",tb,113,tc,4bz.hd.4qb,4gf,td"],
];

/** Code points below this can be looked up; the ones outside {@link RANGES} are not covered. */
export const LOOSE_TABLE_LIMIT = 0x2150;

/** `covered[cp]` is 1 when the table knows the code point. */
export const looseCovered = new Uint8Array(LOOSE_TABLE_LIMIT);
/** The weights of `cp` are `looseWeights[looseOffsets[cp] .. looseOffsets[cp + 1])`. */
export const looseOffsets = new Int32Array(LOOSE_TABLE_LIMIT + 1);
export const looseWeights: Int32Array = buildTable();

function buildTable(): Int32Array {
  const weights: number[] = [];
  const perCodePoint: number[][] = new Array<number[]>(LOOSE_TABLE_LIMIT);
  for (const [first, last, data] of RANGES) {
    const entries = data.split(",");
    if (entries.length !== last - first + 1) throw new Error(`loose weight table: range ${first.toString(16)} is corrupt`);
    entries.forEach((entry, i) => {
      perCodePoint[first + i] = entry === "" ? [] : entry.split(".").map((w) => Number.parseInt(w, 36));
      looseCovered[first + i] = 1;
    });
  }
  for (let cp = 0; cp < LOOSE_TABLE_LIMIT; cp++) {
    looseOffsets[cp] = weights.length;
    for (const w of perCodePoint[cp] ?? []) weights.push(w);
  }
  looseOffsets[LOOSE_TABLE_LIMIT] = weights.length;
  return Int32Array.from(weights);
}
