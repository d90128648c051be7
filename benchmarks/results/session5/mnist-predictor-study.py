import numpy as np, pyarrow as pa, sys
img=np.fromfile('/tmp/mnist-img.raw',dtype=np.uint8).reshape(-1,28,28).astype(np.int16)
N=img.shape[0]
def shift_rows(a):  # row above, 0 for first
    u=np.zeros_like(a); u[:,1:,:]=a[:,:-1,:]; return u
u=shift_rows(img)
ul=np.zeros_like(u); ul[:,:,1:]=u[:,:,:-1]
ur=np.zeros_like(u); ur[:,:,:-1]=u[:,:,1:]
uu=shift_rows(u)
avg=lambda a,b:(a+b)//2
preds={
 'raw':np.zeros_like(img),
 'up':u,
 'avg_ul_ur':avg(ul,ur),
 'avg_u_avg':avg(u,avg(ul,ur)),
 'avg_u_ur':avg(u,ur),
 'grad2':np.clip(2*u-uu,0,255),
 'avg_u_grad2':avg(u,np.clip(2*u-uu,0,255)),
}
left=np.zeros_like(img); left[:,:,1:]=img[:,:,:-1]
ulx=np.zeros_like(img); ulx[:,1:,1:]=img[:,:-1,:-1]
preds['left']=left
preds['avg_left_up']=avg(left,u)
p=left+u-ulx; pa_=np.abs(p-left); pb=np.abs(p-u); pc=np.abs(p-ulx)
preds['paeth']=np.where((pa_<=pb)&(pa_<=pc),left,np.where(pb<=pc,u,ulx))
preds['med']=np.where(ulx>=np.maximum(left,u),np.minimum(left,u),np.where(ulx<=np.minimum(left,u),np.maximum(left,u),left+u-ulx))
per=65536//784
lvl=int(sys.argv[1]) if len(sys.argv)>1 else 3
C=pa.Codec('zstd',compression_level=lvl)
for k,pr in preds.items():
    r=((img-pr)%256).astype(np.uint8).reshape(N,784)
    tot=0
    for b in range(0,N,per):
        tot+=len(C.compress(r[b:b+per].tobytes()))
    h=np.bincount(r.ravel(),minlength=256)/r.size; H=-(h[h>0]*np.log2(h[h>0])).sum()
    print(f"{k:12s} zstd{lvl} {tot:,} {tot/26656969:.4f}x  H0 {H:.3f} bpp  zeros {(r==0).mean():.3f}")
